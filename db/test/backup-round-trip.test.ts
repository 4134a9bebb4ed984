// A backup taken while writes run, the database dropped, the dump restored: every row whose
// write was acknowledged before the backup started comes back identical, and the dump is one
// consistent cut across tables (no write half in it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { createScratchDatabase, type ScratchDatabase } from '../bootstrap.ts';
import {
  databaseContents,
  databasesStartingWith,
  runCli,
  withConnection,
} from './support/backup-cli.ts';

/** Enough rows that the dump takes a while, so writes land before, during and after it. */
const SEED_ROWS = 30_000;
const SEED_BATCH = 1_000;
const WRITERS = 4;
/** Writes acknowledged before the backup starts, so the test has rows that must come back. */
const WRITES_BEFORE_BACKUP = 200;
/** Names that a careless dump or restore would mangle: quotes, backslashes, emoji, accents. */
const AWKWARD_NAMES = ["it's", 'say "hi"', 'back\\slash', 'tab\there', 'émoji 😀', '--', '/* c */'];

interface Acknowledged {
  id: number;
  at: number;
}

/** One write: an item and its log row in one transaction, as a migration history would be. */
async function writeItem(connection: mysql.Connection, name: string): Promise<number> {
  await connection.beginTransaction();
  const [result] = await connection.query<mysql.ResultSetHeader>(
    'INSERT INTO items (name) VALUES (?)',
    [name],
  );
  await connection.query('INSERT INTO item_log (item_id) VALUES (?)', [result.insertId]);
  await connection.commit();
  return result.insertId;
}

/** Writers that loop until stopped, each write recorded once its COMMIT has returned. */
function startWriters(database: string) {
  const acknowledged: Acknowledged[] = [];
  let running = true;
  const loops = Array.from({ length: WRITERS }, async (_, writer) => {
    const connection = await mysql.createConnection({ ...databaseServerFromEnv(), database });
    try {
      for (let n = 0; running; n++) {
        const id = await writeItem(connection, `writer ${writer} #${n}`);
        acknowledged.push({ id, at: performance.now() });
      }
    } finally {
      await connection.end();
    }
  });
  return {
    acknowledged,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function seed(database: string): Promise<void> {
  await withConnection(async (connection) => {
    await connection.query(
      'CREATE TABLE item_log (item_id BIGINT UNSIGNED NOT NULL PRIMARY KEY) ENGINE = InnoDB',
    );
    for (let first = 0; first < SEED_ROWS; first += SEED_BATCH) {
      const names = Array.from({ length: SEED_BATCH }, (_, i) => [`seed ${first + i}`]);
      await connection.query('INSERT INTO items (name) VALUES ?', [names]);
    }
    await connection.query('INSERT INTO items (name) VALUES ?', [AWKWARD_NAMES.map((n) => [n])]);
    await connection.query('INSERT INTO item_log (item_id) SELECT id FROM items');
  }, database);
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const showCreateTable = (database: string, table: string) =>
  withConnection(async (connection) => {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `SHOW CREATE TABLE ${mysql.escapeId(table)}`,
    );
    // The next id moves with every write; the definition must not.
    return String(rows[0]?.['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
  }, database);

describe('a backup taken while writes run, restored after the database is dropped', () => {
  let scratch: ScratchDatabase;
  let folder: string;
  let source: Record<string, unknown[]>;
  let restored: Record<string, unknown[]>;
  let definitions: { before: string; after: string };
  let mustSurvive: number[];
  let writtenDuringBackup: number;
  let backupOutput: string;
  let restoreOutput: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(databaseServerFromEnv(), 'tristack_backup');
    folder = await mkdtemp(join(tmpdir(), 'tristack-backup-test-'));
    await seed(scratch.name);
    const writers = startWriters(scratch.name);
    await waitFor(() => writers.acknowledged.length >= WRITES_BEFORE_BACKUP);
    // Everything acknowledged before the dump program can even start is older than its snapshot.
    const backupStarted = performance.now();
    const backup = await runCli('backup', ['--out', join(folder, 'dump.sql.gz')], scratch.name);
    const backupEnded = performance.now();
    await writers.stop();
    backupOutput = backup.output;
    expect(backup.code, backup.output).toBe(0);
    mustSurvive = writers.acknowledged.filter((w) => w.at < backupStarted).map((w) => w.id);
    writtenDuringBackup = writers.acknowledged.filter(
      (w) => w.at >= backupStarted && w.at < backupEnded,
    ).length;

    source = await databaseContents(scratch.name);
    const before = await showCreateTable(scratch.name, 'items');
    await scratch.drop();
    const restore = await runCli('restore', [join(folder, 'dump.sql.gz')], scratch.name);
    restoreOutput = restore.output;
    expect(restore.code, restore.output).toBe(0);
    restored = await databaseContents(scratch.name);
    definitions = { before, after: await showCreateTable(scratch.name, 'items') };
  }, 120_000);

  afterAll(async () => {
    await scratch?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('ran while the writers kept writing', () => {
    expect(mustSurvive.length).toBeGreaterThanOrEqual(WRITES_BEFORE_BACKUP);
    expect(writtenDuringBackup, backupOutput).toBeGreaterThan(0);
  });

  it('brings back every row acknowledged before the backup started, identical', () => {
    const sourceById = new Map((source.items as { id: number }[]).map((row) => [row.id, row]));
    const restoredById = new Map((restored.items as { id: number }[]).map((row) => [row.id, row]));
    const missing = mustSurvive.filter((id) => !restoredById.has(id));
    expect(missing).toEqual([]);
    for (const id of mustSurvive) expect(restoredById.get(id)).toEqual(sourceById.get(id));
  });

  it('brings back the seed rows and the awkward names byte for byte', () => {
    const names = (restored.items as { name: string }[]).map((row) => row.name);
    expect(names.slice(0, 3)).toEqual(['Test A', 'Test B', 'Test C']);
    expect(names).toEqual(expect.arrayContaining(AWKWARD_NAMES));
  });

  it('holds only rows that were written, each as it was', () => {
    const sourceById = new Map((source.items as { id: number }[]).map((row) => [row.id, row]));
    for (const row of restored.items as { id: number }[]) {
      expect(row).toEqual(sourceById.get(row.id));
    }
  });

  it('is one consistent cut: every item has its log row and no log row lacks its item', () => {
    const itemIds = (restored.items as { id: number }[]).map((row) => row.id);
    const loggedIds = (restored.item_log as { item_id: number }[]).map((row) => row.item_id);
    expect(loggedIds).toEqual(itemIds);
  });

  it('restores the schema as it was, with ids carrying on after the last restored one', async () => {
    expect(definitions.after).toBe(definitions.before);
    const lastId = Math.max(...(restored.items as { id: number }[]).map((row) => row.id));
    const nextId = await withConnection(async (connection) => {
      const [result] = await connection.query<mysql.ResultSetHeader>(
        "INSERT INTO items (name) VALUES ('after restore')",
      );
      return result.insertId;
    }, scratch.name);
    expect(nextId).toBeGreaterThan(lastId);
  });

  it('says what it restored and leaves no staging database behind', async () => {
    expect(restoreOutput).toMatch(/is complete: (MariaDB|MySQL) dump/);
    const count = (table: string) => `${table} \\(${restored[table]?.length} rows\\)`;
    expect(restoreOutput).toMatch(new RegExp(`restored ${scratch.name} from .*${count('items')}`));
    expect(restoreOutput).toMatch(
      new RegExp(`restored ${scratch.name} from .*${count('item_log')}`),
    );
    expect(await databasesStartingWith(`${scratch.name}_`)).toEqual([]);
  });
});
