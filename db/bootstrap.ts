// Creates a database and applies db/init.sql: used by `npm start` (when the database is missing)
// and by the test suites (one scratch database per suite). Production never runs this: there the
// mysql image's entrypoint applies init.sql on first boot.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import mysql from 'mysql2/promise';

export const INIT_SQL_PATH = new URL('./init.sql', import.meta.url);

/** How to reach a server, before any database is chosen. */
export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  connectTimeoutMs?: number;
}

/** The contract's MYSQL_* variables that point the API at `database` on `server`. */
export function mysqlEnv(server: ServerAddress, database: string): Record<string, string> {
  return {
    MYSQL_HOST: server.host,
    MYSQL_PORT: String(server.port),
    MYSQL_USER: server.user,
    MYSQL_PASSWORD: server.password,
    MYSQL_DATABASE: database,
  };
}

const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

function assertDatabaseName(name: string): void {
  if (!DATABASE_NAME.test(name)) {
    throw new Error(`database name "${name}" must be 1-64 letters, digits or underscores`);
  }
}

async function connect(server: ServerAddress, database?: string) {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    connectTimeout: server.connectTimeoutMs ?? 5_000,
    // init.sql holds several statements; only this trusted file is ever sent on such a connection.
    multipleStatements: true,
    ...(database ? { database } : {}),
  });
}

/** Creates `name` when missing and applies init.sql when its items table is missing. */
export async function ensureDatabase(
  server: ServerAddress,
  name: string,
): Promise<{ created: boolean; initialised: boolean }> {
  assertDatabaseName(name);
  const connection = await connect(server);
  try {
    const [existing] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [name],
    );
    const created = existing.length === 0;
    if (created) await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    const [tables] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'items'",
      [name],
    );
    const initialised = tables.length === 0;
    if (initialised) await applyInitSql(server, name);
    return { created, initialised };
  } finally {
    await connection.end();
  }
}

/** Runs db/init.sql inside `name`. */
export async function applyInitSql(server: ServerAddress, name: string): Promise<void> {
  assertDatabaseName(name);
  const sql = await readFile(INIT_SQL_PATH, 'utf8');
  const connection = await connect(server, name);
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

export interface ScratchDatabase {
  name: string;
  drop(): Promise<void>;
}

/** A fresh database with a unique name, schema and seed rows applied; drop() removes it. */
export async function createScratchDatabase(
  server: ServerAddress,
  prefix = 'tristack_test',
): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(server, name);
  return {
    name,
    async drop() {
      const connection = await connect(server);
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}
