// docker-compose.yml's backup service runs db/backup/compose-backup.sh in the db image. Here it
// runs on this machine against the test server: what it writes, `db:restore` must accept and
// restore identical, and it must dump with the flags `db:backup` uses.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { RunningProcess } from '../../scripts/lib/processes.ts';
import { REPO_ROOT } from '../../test/support/repo.ts';
import { SHARED_DUMP_FLAGS } from '../backup/dump.ts';
import { createScratchDatabase, mysqlEnv, type ScratchDatabase } from '../bootstrap.ts';
import { databaseContents, runCli, withConnection } from './support/backup-cli.ts';

const SCRIPT = 'db/backup/compose-backup.sh';

describe('the Compose backup script', () => {
  let source: ScratchDatabase;
  let folder: string;
  let output: string;
  let code: number | null;

  beforeAll(async () => {
    source = await createScratchDatabase(databaseServerFromEnv(), 'tristack_backup_sh');
    await withConnection(
      (connection) => connection.query("INSERT INTO items (name) VALUES ('from the script')"),
      source.name,
    );
    folder = await mkdtemp(join(tmpdir(), 'tristack-backup-test-'));
    const run = RunningProcess.start('bash', [SCRIPT], {
      name: 'compose-backup.sh',
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        ...mysqlEnv(databaseServerFromEnv(), source.name),
        BACKUP_DIR: folder,
      },
    });
    code = (await run.exited).code;
    output = run.output();
  });

  afterAll(async () => {
    await source?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('writes one dated dump, readable by its owner only, and nothing else', async () => {
    expect(code, output).toBe(0);
    const files = await readdir(folder);
    expect(files).toEqual([
      expect.stringMatching(new RegExp(`^${source.name}-\\d{8}T\\d{6}Z\\.sql\\.gz$`)),
    ]);
    expect(output).toContain(`backup: wrote ${join(folder, files[0] ?? '')}`);
    expect((await stat(join(folder, files[0] ?? ''))).mode & 0o777).toBe(0o600);
  });

  it('writes a dump that db:restore accepts and restores identical', async () => {
    const [file = ''] = await readdir(folder);
    const target = `${source.name}_copy`;
    try {
      const run = await runCli('restore', [join(folder, file)], target);
      expect(run.code, run.output).toBe(0);
      expect(await databaseContents(target)).toEqual(await databaseContents(source.name));
    } finally {
      await withConnection((connection) => connection.query(`DROP DATABASE IF EXISTS ${target}`));
    }
  });

  it('dumps with the flags db:backup uses', async () => {
    const script = await readFile(join(REPO_ROOT, SCRIPT), 'utf8');
    const flagsLine = script.split('\n').find((line) => line.startsWith('flags=(')) ?? '';
    expect(flagsLine.slice('flags=('.length, -1).split(' ')).toEqual(SHARED_DUMP_FLAGS);
  });
});
