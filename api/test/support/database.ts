// The real database the tests use (scripts/lib/database-server.ts says which server): each suite
// gets a scratch database of its own.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import {
  createScratchDatabase,
  type ScratchContents,
  type ScratchDatabase,
} from '../../../db/bootstrap.ts';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';

/** Registers hooks that create a scratch database before the suite and drop it after. */
export function useScratchDatabase(contents: ScratchContents = 'migrated'): {
  readonly name: string;
} {
  let scratch: ScratchDatabase | undefined;
  beforeAll(async () => {
    scratch = await createScratchDatabase(databaseServerFromEnv(), 'tristack_test', contents);
  });
  afterAll(async () => {
    await scratch?.drop();
  });
  return {
    get name() {
      if (!scratch) throw new Error('the scratch database exists only inside tests');
      return scratch.name;
    },
  };
}

/** Runs one statement in `database` as the test server's user, bypassing the API. */
export async function queryDatabase<T>(
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const connection = await mysql.createConnection({ ...databaseServerFromEnv(), database });
  try {
    const [rows] = await connection.query(sql, params);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

/** Reads the items table directly, bypassing the API, to check what really is stored. */
export async function readItemsTable(database: string): Promise<{ id: number; name: string }[]> {
  const rows = await queryDatabase<{ id: number; name: string }>(
    database,
    'SELECT id, name FROM items ORDER BY id',
  );
  return rows.map((row) => ({ id: Number(row.id), name: row.name }));
}
