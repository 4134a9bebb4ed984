// The command line as a person meets it: bad arguments and variables get one line naming the
// problem and a non-zero exit, never a stack trace; the password reaches the dump program in an
// option file only the owner can read, never on its command line, and MYSQL_PASSWORD_FILE works.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { findDumpProgram } from '../backup/programs.ts';
import { createScratchDatabase, type ScratchDatabase } from '../bootstrap.ts';
import { runCli, withConnection } from './support/backup-cli.ts';

const STACK_FRAME = /\n\s+at /;

describe('bad arguments and variables', () => {
  it.each([
    ['backup', [], /--out is required\nusage: npm run db:backup -- --out FILE/],
    ['backup', ['--out'], /--out.*argument missing/i],
    ['backup', ['--out', 'x', '--force'], /Unknown option '--force'\nusage: npm run db:backup/],
    [
      'restore',
      [],
      /give exactly one FILE\nusage: npm run db:restore -- \[--force \| --check\] FILE/,
    ],
    ['restore', ['a', 'b'], /give exactly one FILE/],
    ['restore', ['--frce', 'a'], /Unknown option '--frce'/],
    ['restore', ['--check', '--force', 'a'], /--check touches nothing: it takes no --force/],
  ] as const)('%s %j: usage, exit 2', async (command, args, expected) => {
    const run = await runCli(command, [...args], 'tristack_unused');
    expect(run.code).toBe(2);
    expect(run.output).toMatch(expected);
    expect(run.output).not.toMatch(STACK_FRAME);
  });

  it.each([
    [{ MYSQL_PORT: 'abc' }, /invalid configuration: MYSQL_PORT: must be a port number/],
    [
      { MYSQL_DATABASE: 'no-dashes' },
      /MYSQL_DATABASE: must be 1-64 letters, digits or underscores/,
    ],
    [
      { MYSQL_PASSWORD: 'x', MYSQL_PASSWORD_FILE: '/run/secrets/x' },
      /MYSQL_PASSWORD: must not be set together with MYSQL_PASSWORD_FILE/,
    ],
    [{ MYSQL_PASSWORD_FILE: '/nonexistent/secret' }, /MYSQL_PASSWORD_FILE: cannot read/],
  ])('%j: names the variable, exit 2', async (env, expected) => {
    const run = await runCli('backup', ['--out', '/tmp/unused.sql.gz'], 'tristack', env);
    expect(run.code).toBe(2);
    expect(run.output).toMatch(expected);
    expect(run.output).not.toMatch(STACK_FRAME);
  });

  it('says which server it cannot reach, exit 1', async () => {
    const run = await runCli('backup', ['--out', '/tmp/unused.sql.gz'], 'tristack', {
      MYSQL_PORT: '1',
    });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/cannot reach 127\.0\.0\.1:1 as .*ECONNREFUSED/);
    expect(run.output).not.toMatch(STACK_FRAME);
  });

  it('refuses a database that does not exist and a file that does', async () => {
    const missing = await runCli('backup', ['--out', '/tmp/unused.sql.gz'], 'tristack_nope_42');
    expect(missing.output).toMatch(/database tristack_nope_42 does not exist/);
    const existing = await runCli('backup', ['--out', '/etc/hostname'], 'tristack');
    expect(existing.output).toMatch(/\/etc\/hostname already exists/);
    expect([missing.code, existing.code]).toEqual([1, 1]);
  });
});

describe('credentials', () => {
  const user = `tristack_bk_${process.pid}`;
  const password = 'file-secret "#1" \\ ;';
  let scratch: ScratchDatabase;
  let folder: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(databaseServerFromEnv(), 'tristack_backup_cred');
    folder = await mkdtemp(join(tmpdir(), 'tristack-backup-test-'));
    await withConnection(async (connection) => {
      await connection.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      await connection.query(`GRANT ALL ON \`${scratch.name}\`.* TO ?@?`, [user, '%']);
    });
  });

  afterAll(async () => {
    await withConnection((connection) => connection.query('DROP USER IF EXISTS ?@?', [user, '%']));
    await scratch?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('passes the password in a 0600 option file, never on the dump program’s command line', async () => {
    const real = await findDumpProgram();
    const record = join(folder, 'arguments');
    // A stand-in first on PATH that writes down what it was given, then runs the real program.
    const wrapper = join(folder, real.name);
    await writeFile(
      wrapper,
      [
        '#!/bin/sh',
        `[ "$1" = --version ] && exec ${real.path} "$@"`,
        `printf '%s\\n' "$@" > ${record}`,
        `stat -c 'mode %a' "\${1#--defaults-file=}" >> ${record}`,
        `exec ${real.path} "$@"`,
      ].join('\n'),
    );
    await chmod(wrapper, 0o755);
    const secret = join(folder, 'password');
    await writeFile(secret, `${password}\n`);
    const run = await runCli('backup', ['--out', join(folder, 'dump.sql.gz')], scratch.name, {
      PATH: `${folder}:${process.env.PATH}`,
      MYSQL_USER: user,
      // The test server's empty MYSQL_PASSWORD stays set: the API lets an empty one stand beside it.
      MYSQL_PASSWORD_FILE: secret,
    });
    expect(run.code, run.output).toBe(0);
    const recorded = await readFile(record, 'utf8');
    expect(recorded).toMatch(/^--defaults-file=\/.*client\.cnf\n/);
    expect(recorded).toMatch(/--single-transaction\n/);
    expect(recorded).toMatch(/mode 600\n$/);
    expect(recorded).not.toContain('file-secret');
  });
});
