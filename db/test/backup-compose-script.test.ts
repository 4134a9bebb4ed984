// docker-compose.yml's backup service runs db/backup/compose-backup.sh in the db image. Here it
// runs on this machine against the test server: what it writes, `db:restore` must accept and
// restore identical, and it must dump with the flags `db:backup` uses; with BACKUP_KEEP it prunes
// older dumps of its database in a temporary folder, and nothing else.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { RunningProcess } from '../../scripts/lib/processes.ts';
import { REPO_ROOT } from '../../test/support/repo.ts';
import { SHARED_DUMP_FLAGS } from '../backup/dump.ts';
import { createScratchDatabase, mysqlEnv, type ScratchDatabase } from '../bootstrap.ts';
import { databaseContents, runCli, withConnection } from './support/backup-cli.ts';

const SCRIPT = 'db/backup/compose-backup.sh';

/** The script on this machine, dumping DATABASE of the test server into FOLDER. */
async function runScript(
  database: string,
  folder: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const run = RunningProcess.start('bash', [SCRIPT], {
    name: 'compose-backup.sh',
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      ...mysqlEnv(databaseServerFromEnv(), database),
      BACKUP_DIR: folder,
      ...env,
    },
  });
  return { code: (await run.exited).code, output: run.output() };
}

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
    ({ code, output } = await runScript(source.name, folder));
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

describe('the backup script with BACKUP_KEEP', () => {
  let source: ScratchDatabase;
  let folder: string;

  const runWithKeep = (keep: string) => runScript(source.name, folder, { BACKUP_KEEP: keep });

  beforeAll(async () => {
    source = await createScratchDatabase(databaseServerFromEnv(), 'tristack_backup_keep');
  });

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'tristack-backup-keep-'));
  });

  afterEach(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  afterAll(async () => {
    await source?.drop();
  });

  it('keeps the newest N dumps of its database and leaves every other file alone', async () => {
    const older = ['20250101T000000Z', '20250102T000000Z', '20250103T000000Z'].map(
      (stamp) => `${source.name}-${stamp}.sql.gz`,
    );
    const others = [
      `${source.name}_other-20250101T000000Z.sql.gz`, // another database's dump
      `${source.name}-20250104T000000Z.sql.gz.partial-123`, // a dump that never finished
      'notes.txt',
    ];
    for (const name of [...older, ...others]) await writeFile(join(folder, name), 'x');
    const { code, output } = await runWithKeep('2');
    expect(code, output).toBe(0);
    const files = (await readdir(folder)).sort();
    const fresh = files.filter((name) => !older.includes(name) && !others.includes(name));
    expect(fresh).toEqual([
      expect.stringMatching(new RegExp(`^${source.name}-\\d{8}T\\d{6}Z\\.sql\\.gz$`)),
    ]);
    expect(files).toEqual([...others, older[2], ...fresh].sort());
    for (const removed of older.slice(0, 2)) {
      expect(output).toContain(`backup: removed ${join(folder, removed)} (BACKUP_KEEP=2)`);
    }
  });

  it('keeps every dump with BACKUP_KEEP=0', async () => {
    const old = `${source.name}-20250101T000000Z.sql.gz`;
    await writeFile(join(folder, old), 'x');
    const { code, output } = await runWithKeep('0');
    expect(code, output).toBe(0);
    expect(await readdir(folder)).toHaveLength(2);
    expect(output).not.toContain('removed');
  });

  it('refuses a BACKUP_KEEP that is not a whole number before dumping, exit 2', async () => {
    const { code, output } = await runWithKeep('7d');
    expect(code).toBe(2);
    expect(output).toContain('BACKUP_KEEP="7d" must be a whole number');
    expect(await readdir(folder)).toEqual([]);
  });
});
