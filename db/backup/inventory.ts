// What a database holds, table by table, so that restore can say what it is about to replace
// and what it restored.
import mysql from 'mysql2/promise';
import type { ServerAddress } from '../bootstrap.ts';

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export interface TableContents {
  name: string;
  /** Exact (COUNT(*)), not information_schema's estimate; undefined for a view. */
  rows?: number;
}

/** A connection to the server with no database selected, one statement per query. */
export function connectToServer(server: ServerAddress): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    connectTimeout: server.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  });
}

export async function databaseExists(connection: mysql.Connection, database: string) {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [database],
  );
  return rows.length > 0;
}

/** The tables and views of `database` in name order; none when it does not exist. */
export async function listTables(
  connection: mysql.Connection,
  database: string,
): Promise<{ name: string; view: boolean }[]> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  return rows.map((row) => ({ name: String(row.name), view: row.type === 'VIEW' }));
}

export async function describeTables(
  connection: mysql.Connection,
  database: string,
): Promise<TableContents[]> {
  const contents: TableContents[] = [];
  for (const table of await listTables(connection, database)) {
    if (table.view) {
      contents.push({ name: table.name });
      continue;
    }
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${mysql.escapeId(database)}.${mysql.escapeId(table.name)}`,
    );
    contents.push({ name: table.name, rows: Number(rows[0]?.n) });
  }
  return contents;
}

/** "items (3 rows), item_history (1 row), recent (view)". */
export function formatTables(tables: TableContents[]): string {
  if (tables.length === 0) return 'no tables';
  return tables
    .map(({ name, rows }) =>
      rows === undefined ? `${name} (view)` : `${name} (${rows} ${rows === 1 ? 'row' : 'rows'})`,
    )
    .join(', ');
}
