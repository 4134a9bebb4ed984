// Creates a database and brings it to the current schema (db/init.sql as the baseline, then
// db/migrations): used by `npm start` (when the database is missing) and by the test suites (one
// scratch database per suite). Production never creates databases: there the mysql image's
// entrypoint applies init.sql on first boot and the migrate service or Job runs the migrations.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { applyInitSql as applyInitSqlFile } from '../api/src/migrations/baseline.ts';
import {
  type MigrateOptions,
  type MigrationResult,
  migrate,
} from '../api/src/migrations/migrate.ts';
import { INIT_SQL_PATH as INIT_SQL_FILE } from '../api/src/migrations/paths.ts';

export const INIT_SQL_PATH = pathToFileURL(INIT_SQL_FILE);

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

async function connect(server: ServerAddress) {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    connectTimeout: server.connectTimeoutMs ?? 5_000,
  });
}

/** Creates `name` unless it exists; true when it was created. */
async function createDatabaseIfMissing(server: ServerAddress, name: string): Promise<boolean> {
  assertDatabaseName(name);
  const connection = await connect(server);
  try {
    const [existing] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      [name],
    );
    if (existing.length > 0) return false;
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    return true;
  } finally {
    await connection.end();
  }
}

/**
 * Creates `name` when missing and migrates it: an empty database gets init.sql (the baseline)
 * and every migration; an existing one only the migrations it lacks.
 */
export async function ensureDatabase(
  server: ServerAddress,
  name: string,
  options: MigrateOptions = {},
): Promise<{ created: boolean; initialised: boolean; migration: MigrationResult }> {
  const created = await createDatabaseIfMissing(server, name);
  const migration = await migrate(server, name, options);
  return { created, initialised: migration.baseline === 'applied-init-sql', migration };
}

/** Runs db/init.sql inside `name`, and nothing else: a database as it was before migrations. */
export async function applyInitSql(server: ServerAddress, name: string): Promise<void> {
  assertDatabaseName(name);
  await applyInitSqlFile(server, name, INIT_SQL_FILE);
}

export interface ScratchDatabase {
  name: string;
  drop(): Promise<void>;
}

/**
 * What a scratch database starts with: the current schema and the seed rows (`migrated`),
 * db/init.sql alone, as every database was before migrations (`init-sql`), or nothing (`empty`).
 */
export type ScratchContents = 'migrated' | 'init-sql' | 'empty';

/** A fresh database with a unique name, schema and seed rows applied; drop() removes it. */
export async function createScratchDatabase(
  server: ServerAddress,
  prefix = 'tristack_test',
  contents: ScratchContents = 'migrated',
): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (contents === 'migrated') await ensureDatabase(server, name);
  else {
    await createDatabaseIfMissing(server, name);
    if (contents === 'init-sql') await applyInitSql(server, name);
  }
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
