// What restore refuses, and what it leaves behind when it does: a database that holds data
// without --force, a damaged file (a changed byte, a cut, a dump that stopped early), a dump
// whose SQL fails half-way even with --force. In each case the target's tables and rows are
// compared before and after, and no staging database is left.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { createScratchDatabase, type ScratchDatabase } from '../bootstrap.ts';
import {
  databaseContents,
  databasesStartingWith,
  runCli,
  withConnection,
} from './support/backup-cli.ts';

const SOURCE_NAMES = ['from the backup 1', 'from the backup 2'];
const TARGET_NAMES = ['only in the target'];

/** Ways a dump file goes bad, each made from the good one. */
const DAMAGES: { name: string; damage: (good: Buffer) => Buffer; expected: RegExp }[] = [
  {
    name: 'one byte in the middle flipped',
    damage: (good) => {
      const bad = Buffer.from(good);
      const middle = Math.floor(bad.length / 2);
      bad[middle] = (bad[middle] ?? 0) ^ 0xff;
      return bad;
    },
    expected: /is not a complete dump: its compressed data fail gzip's check/,
  },
  {
    name: 'cut in the middle',
    damage: (good) => good.subarray(0, Math.floor(good.length / 2)),
    expected: /is not a complete dump: it ends before its gzip trailer: the file was cut short/,
  },
  {
    name: 'only its last 8 bytes (gzip length) cut',
    damage: (good) => good.subarray(0, good.length - 8),
    expected: /is not a complete dump: it ends before its gzip trailer/,
  },
  {
    name: 'compressed whole from a dump that stopped half-way',
    damage: (good) => {
      const sql = gunzipSync(good);
      return gzipSync(sql.subarray(0, Math.floor(sql.length / 2)));
    },
    expected: /is not a complete dump: its last line is not "-- Dump completed"/,
  },
  {
    name: 'not a dump at all',
    damage: () => gzipSync('SELECT 1;\n'),
    expected: /is not a complete dump: it holds no mysqldump or mariadb-dump header/,
  },
];

describe('restore refuses, and leaves the target as it was', () => {
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  let folder: string;
  let goodDump: string;
  let targetBefore: Record<string, unknown[]>;

  const assertTargetUntouched = async () => {
    expect(await databaseContents(target.name)).toEqual(targetBefore);
    expect(await databasesStartingWith(`${target.name}_`)).toEqual([]);
  };

  beforeAll(async () => {
    const server = databaseServerFromEnv();
    [source, target] = await Promise.all([
      createScratchDatabase(server, 'tristack_backup_src'),
      createScratchDatabase(server, 'tristack_backup_dst'),
    ]);
    folder = await mkdtemp(join(tmpdir(), 'tristack-backup-test-'));
    const insert = (database: string, names: string[]) =>
      withConnection(async (connection) => {
        await connection.query('INSERT INTO items (name) VALUES ?', [names.map((n) => [n])]);
      }, database);
    await insert(source.name, SOURCE_NAMES);
    await insert(target.name, TARGET_NAMES);
    goodDump = join(folder, 'good.sql.gz');
    const backup = await runCli('backup', ['--out', goodDump], source.name);
    expect(backup.code, backup.output).toBe(0);
    targetBefore = await databaseContents(target.name);
  });

  afterAll(async () => {
    await Promise.all([source?.drop(), target?.drop()]);
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('refuses a database that holds rows without --force, and names its tables and rows', async () => {
    const run = await runCli('restore', [goodDump], target.name);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(
      new RegExp(
        `${target.name} on .* is not empty: it holds items \\(4 rows\\), schema_history \\(3 rows\\)\\..*--force`,
      ),
    );
    await assertTargetUntouched();
  });

  it.each(DAMAGES)('refuses a dump with $name, even with --force', async (bad) => {
    const path = join(folder, `${bad.name.replace(/\W+/g, '-')}.sql.gz`);
    await writeFile(path, bad.damage(await readFile(goodDump)));
    const run = await runCli('restore', ['--force', path], target.name);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(bad.expected);
    expect(run.output).toMatch(/Nothing was changed\./);
    expect(run.output).not.toMatch(/replacing/);
    await assertTargetUntouched();
  });

  it('checks a file with --check alone, with no database to talk to', async () => {
    const noServer = { MYSQL_PORT: '1' };
    const cut = join(folder, 'cut-for-check.sql.gz');
    await writeFile(cut, (await readFile(goodDump)).subarray(0, 100));
    const good = await runCli('restore', ['--check', goodDump], target.name, noServer);
    const bad = await runCli('restore', ['--check', cut], target.name, noServer);
    expect([good.code, bad.code]).toEqual([0, 1]);
    expect(good.output).toMatch(
      new RegExp(`good\\.sql\\.gz is complete: .*database ${source.name}`),
    );
    expect(bad.output).toMatch(/cut-for-check\.sql\.gz is not a complete dump: .*cut short/);
    await assertTargetUntouched();
  });

  it('leaves the target as it was, even with --force, when the SQL fails half-way', async () => {
    const sql = gunzipSync(await readFile(goodDump)).toString('utf8');
    // A whole, well-formed file whose statements break after the table is created.
    const broken = sql.replace(
      /^INSERT INTO/m,
      'INSERT INTO no_such_table VALUES (1);\nINSERT INTO',
    );
    const path = join(folder, 'failing.sql.gz');
    await writeFile(path, gzipSync(broken));
    const run = await runCli('restore', ['--force', path], target.name);
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/replacing .*items \(4 rows\)/);
    expect(run.output).toMatch(
      new RegExp(
        `did not load into a staging database: .*no_such_table.*${target.name} was not changed`,
      ),
    );
    await assertTargetUntouched();
  });

  it('with --force replaces the whole target with the dump', async () => {
    const run = await runCli('restore', ['--force', goodDump], target.name);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/replacing .*items \(4 rows\)/);
    expect(await databaseContents(target.name)).toEqual(await databaseContents(source.name));
    expect(await databasesStartingWith(`${target.name}_`)).toEqual([]);
  });
});
