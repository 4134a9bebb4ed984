// The baseline, version 1, is db/init.sql itself: the schema and seed rows that every database
// has had since the first release, whether the mysql image's entrypoint ran it on a first boot or
// `npm start` did. A database without history is brought to the baseline once:
// - its items table exists (made by init.sql before migrations existed): version 1 is recorded,
//   nothing is run, no row is touched;
// - it has no items table (a new, empty database): init.sql is applied, then recorded.
// init.sql's checksum is recorded with it, so a later edit of init.sql is refused like an edit of
// any applied migration: schema changes go into db/migrations, never into init.sql.
import { readFile } from 'node:fs/promises';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type Postgrator from 'postgrator';
import { SCHEMA_HISTORY_TABLE } from '../schema-version.ts';
import { databaseReason, MigrationError } from './errors.ts';
import { BASELINE_VERSION, checksumOf } from './files.ts';
import { displayPath } from './paths.ts';

/** What the run did about the baseline. */
export type BaselineOutcome = 'already-recorded' | 'recorded-existing' | 'applied-init-sql';

/** How to reach a server, before any database is chosen. */
export interface MigrationServer {
  host: string;
  port: number;
  user: string;
  password: string;
  connectTimeoutMs?: number;
}

// A statement that does nothing: the baseline's "migration" when init.sql is recorded, not run.
const NO_OP = 'DO 0';

interface HistoryRow extends RowDataPacket {
  version: number | string;
  md5: string | null;
}

/** The history's rows, oldest first; none when the table does not exist yet. */
export async function readHistory(
  connection: Connection,
): Promise<{ version: number; md5: string | null }[]> {
  try {
    const [rows] = await connection.query<HistoryRow[]>(
      `SELECT version, md5 FROM ${SCHEMA_HISTORY_TABLE} ORDER BY version`,
    );
    return rows.map((row) => ({ version: Number(row.version), md5: row.md5 }));
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_NO_SUCH_TABLE') return [];
    throw error;
  }
}

async function hasItemsTable(connection: Connection, database: string): Promise<boolean> {
  const [rows] = await connection.query<RowDataPacket[]>(
    "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'items'",
    [database],
  );
  return rows.length > 0;
}

/** Runs init.sql in `database` on a connection of its own (it holds several statements). */
export async function applyInitSql(
  server: MigrationServer,
  database: string,
  initSqlPath: string,
): Promise<void> {
  const sql = await readFile(initSqlPath, 'utf8');
  const connection = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    connectTimeout: server.connectTimeoutMs ?? 5_000,
    database,
    // Only this trusted file is ever sent on such a connection; migrations never are.
    multipleStatements: true,
  });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

export interface BaselineContext {
  connection: Connection;
  postgrator: Postgrator;
  server: MigrationServer;
  database: string;
  initSqlPath: string;
}

/** Brings a database without history to the baseline; checks init.sql against the record. */
export async function ensureBaseline(context: BaselineContext): Promise<BaselineOutcome> {
  const { connection, postgrator, server, database, initSqlPath } = context;
  const md5 = checksumOf(await readFile(initSqlPath, 'utf8'));
  const history = await readHistory(connection);
  const recorded = history.find((row) => row.version === BASELINE_VERSION);
  if (recorded) {
    if (recorded.md5 !== md5) {
      throw new MigrationError(
        `${displayPath(initSqlPath)} changed after it was recorded as the baseline (version ` +
          `${BASELINE_VERSION}): restore it; schema changes go into a new migration`,
        displayPath(initSqlPath),
      );
    }
    return 'already-recorded';
  }
  const later = history.find((row) => row.version > BASELINE_VERSION);
  if (later) {
    throw new MigrationError(
      `${SCHEMA_HISTORY_TABLE} holds version ${later.version} but no baseline ` +
        `(version ${BASELINE_VERSION}): this history was not written by these migrations`,
    );
  }
  const existing = await hasItemsTable(connection, database);
  if (!existing) {
    try {
      await applyInitSql(server, database, initSqlPath);
    } catch (error) {
      throw new MigrationError(
        `${displayPath(initSqlPath)} failed: ${databaseReason(error)}`,
        displayPath(initSqlPath),
        { cause: error },
      );
    }
  }
  // Migrating to version 0 from no history creates postgrator's history table and applies
  // nothing; the baseline is then recorded through postgrator, so its row has postgrator's form.
  await postgrator.migrate('0');
  await postgrator.runMigrations([
    {
      version: BASELINE_VERSION,
      action: 'do',
      filename: initSqlPath,
      name: 'baseline',
      md5,
      getSql: () => NO_OP,
    },
  ]);
  return existing ? 'recorded-existing' : 'applied-init-sql';
}
