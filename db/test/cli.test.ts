// `npm run db:migrate`: the MYSQL_* variables with the API's rules, exit codes 0 / 1 / 2, and one
// line on stderr that says what went wrong.
import { describe, expect, it } from 'vitest';
import { queryDatabase } from '../../api/test/support/database.ts';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { closedPort } from '../../scripts/lib/ports.ts';
import { mysqlEnv } from '../bootstrap.ts';
import { runMigrateCli } from './support/cli.ts';
import { expectedHistory, historyOf, useScratchDatabases } from './support/migrations.ts';

const server = databaseServerFromEnv();

/** stderr holds exactly one line, and it matches. */
function expectOneLine(stderr: string, expected: RegExp): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(expected);
}

describe('npm run db:migrate', () => {
  const scratch = useScratchDatabases();

  it('migrates the database MYSQL_* names and exits 0, ignoring the API-only variables', async () => {
    const database = await scratch('init-sql');
    const run = await runMigrateCli({ ...mysqlEnv(server, database), API_PORT: 'not-a-port' });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`db:migrate: ${database} now at version 2 (1 applied)`);
    expect(await historyOf(database)).toEqual(await expectedHistory());
  });

  it.each([
    [
      { MYSQL_PORT: 'eighty' },
      /^db:migrate: invalid configuration: MYSQL_PORT: must be a port number$/m,
    ],
    [
      { MYSQL_DATABASE: 'no-dashes' },
      /MYSQL_DATABASE: must be 1-64 letters, digits or underscores/,
    ],
    [{ MYSQL_TIMEOUT_MS: '5' }, /MYSQL_TIMEOUT_MS: must be at least 100 ms/],
    [
      { MYSQL_PASSWORD: 'x', MYSQL_PASSWORD_FILE: '/run/secrets/db' },
      /MYSQL_PASSWORD: must not be set together with MYSQL_PASSWORD_FILE/,
    ],
    [
      { MYSQL_PASSWORD_FILE: '/nonexistent/secret' },
      /MYSQL_PASSWORD_FILE: cannot read \/nonexistent\/secret \(ENOENT\)/,
    ],
  ])('refuses %o with exit 2 and a line naming the variable', async (bad, expected) => {
    const run = await runMigrateCli({ ...mysqlEnv(server, 'tristack'), ...bad });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expectOneLine(run.stderr, expected);
  });

  it('refuses arguments with exit 2: everything comes from the environment', async () => {
    const run = await runMigrateCli(mysqlEnv(server, 'tristack'), ['--to', '3']);
    expect(run.code).toBe(2);
    expectOneLine(
      run.stderr,
      /^db:migrate: takes no arguments \(got --to 3\); it reads MYSQL_HOST/,
    );
  });

  it('exits 1 with one line when the server does not answer', async () => {
    const port = await closedPort();
    const run = await runMigrateCli({ ...mysqlEnv(server, 'tristack'), MYSQL_PORT: String(port) });
    expect(run.code).toBe(1);
    expectOneLine(
      run.stderr,
      new RegExp(
        `^db:migrate: cannot connect to database tristack on ${server.host}:${port} as ${server.user}: ECONNREFUSED`,
      ),
    );
  });

  it('exits 1 naming the file when an applied migration no longer matches its checksum', async () => {
    const database = await scratch('migrated');
    // As if 002 had been edited after it ran: the recorded checksum is another file's.
    await queryDatabase(database, "UPDATE schema_history SET md5 = 'edited' WHERE version = 2");
    const history = await historyOf(database);

    const run = await runMigrateCli(mysqlEnv(server, database));

    expect(run.code).toBe(1);
    expectOneLine(
      run.stderr,
      /^db:migrate: db\/migrations\/002\.do\.items-updated-at\.sql changed after it was applied/,
    );
    expect(await historyOf(database)).toEqual(history);
  });
});
