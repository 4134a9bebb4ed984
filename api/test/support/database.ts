// The real database the tests use: its address comes from the contract's variables (defaults:
// root with no password on 127.0.0.1:3306); each suite gets a scratch database of its own.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import {
  createScratchDatabase,
  type ScratchContents,
  type ScratchDatabase,
  type ServerAddress,
} from '../../../db/bootstrap.ts';

export function testServerAddress(): ServerAddress {
  return {
    host: process.env.MYSQL_HOST || '127.0.0.1',
    port: Number(process.env.MYSQL_PORT || 3306),
    user: process.env.MYSQL_USER || 'root',
    password: process.env.MYSQL_PASSWORD ?? '',
  };
}

/** Registers hooks that create a scratch database before the suite and drop it after. */
export function useScratchDatabase(contents: ScratchContents = 'migrated'): {
  readonly name: string;
} {
  let scratch: ScratchDatabase | undefined;
  beforeAll(async () => {
    scratch = await createScratchDatabase(testServerAddress(), 'tristack_test', contents);
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
  const connection = await mysql.createConnection({ ...testServerAddress(), database });
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
