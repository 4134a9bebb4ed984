// The real database the tests use: its address comes from the contract's variables (defaults:
// root with no password on 127.0.0.1:3306); each suite gets a scratch database of its own.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import {
  createScratchDatabase,
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
export function useScratchDatabase(): { readonly name: string } {
  let scratch: ScratchDatabase | undefined;
  beforeAll(async () => {
    scratch = await createScratchDatabase(testServerAddress());
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

/** Reads the items table directly, bypassing the API, to check what really is stored. */
export async function readItemsTable(database: string): Promise<{ id: number; name: string }[]> {
  const connection = await mysql.createConnection({ ...testServerAddress(), database });
  try {
    const [rows] = await connection.query('SELECT id, name FROM items ORDER BY id');
    return (rows as { id: number; name: string }[]).map((row) => ({
      id: Number(row.id),
      name: row.name,
    }));
  } finally {
    await connection.end();
  }
}
