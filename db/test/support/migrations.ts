// What the migration tests set up and read: scratch databases in each starting state, folders of
// migrations beside the real ones, and the tables as they really are after a run.
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { checksumOf } from '../../../api/src/migrations/files.ts';
import { INIT_SQL_PATH, MIGRATIONS_DIR } from '../../../api/src/migrations/paths.ts';
import { queryDatabase } from '../../../api/test/support/database.ts';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';
import {
  createScratchDatabase,
  type ScratchContents,
  type ScratchDatabase,
} from '../../bootstrap.ts';

export { checksumOf, INIT_SQL_PATH, MIGRATIONS_DIR };

export interface HistoryRow {
  version: number;
  name: string | null;
  md5: string | null;
}

export interface ItemRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string | null;
}

/** Scratch databases for one suite, all dropped after it. */
export function useScratchDatabases(): (contents: ScratchContents) => Promise<string> {
  const created: ScratchDatabase[] = [];
  afterAll(async () => {
    await Promise.all(created.map((scratch) => scratch.drop()));
  });
  return async (contents) => {
    const scratch = await createScratchDatabase(
      databaseServerFromEnv(),
      'tristack_migrate',
      contents,
    );
    created.push(scratch);
    return scratch.name;
  };
}

/**
 * A folder holding copies of the real migrations (or of `copied` only) plus `extra` files
 * (name -> SQL), removed after the test.
 */
export function useMigrationFolders(): (
  extra?: Record<string, string>,
  copied?: string[],
) => Promise<string> {
  const folders: string[] = [];
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (extra = {}, copied) => {
    const dir = await mkdtemp(join(tmpdir(), 'tristack-migrations-'));
    folders.push(dir);
    const real = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql'));
    for (const name of copied ?? real) await copyFile(join(MIGRATIONS_DIR, name), join(dir, name));
    for (const [name, sql] of Object.entries(extra)) await writeFile(join(dir, name), sql);
    return dir;
  };
}

export async function historyOf(database: string): Promise<HistoryRow[]> {
  const rows = await queryDatabase<HistoryRow>(
    database,
    'SELECT version, name, md5 FROM schema_history ORDER BY version',
  );
  return rows.map((row) => ({ version: Number(row.version), name: row.name, md5: row.md5 }));
}

/** Every row of items, every column there is, times as ISO strings. */
export async function itemRows(database: string): Promise<Record<string, unknown>[]> {
  const rows = await queryDatabase<Record<string, unknown>>(
    database,
    'SELECT * FROM items ORDER BY id',
  );
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([column, value]) => [
        column,
        value instanceof Date
          ? value.toISOString()
          : typeof value === 'bigint'
            ? Number(value)
            : value,
      ]),
    ),
  );
}

export async function columnsOf(database: string, table: string): Promise<string[]> {
  const rows = await queryDatabase<{ name: string }>(
    database,
    'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [database, table],
  );
  return rows.map((row) => row.name);
}

export async function tablesOf(database: string): Promise<string[]> {
  const rows = await queryDatabase<{ name: string }>(
    database,
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  return rows.map((row) => row.name);
}

/** The history a database has after the real migrations: postgrator's 0, the baseline, 002. */
export async function expectedHistory(): Promise<HistoryRow[]> {
  const file = (name: string) => readFile(name, 'utf8').then(checksumOf);
  return [
    { version: 0, name: null, md5: null },
    { version: 1, name: 'baseline', md5: await file(INIT_SQL_PATH) },
    {
      version: 2,
      name: 'items-updated-at',
      md5: await file(join(MIGRATIONS_DIR, '002.do.items-updated-at.sql')),
    },
  ];
}
