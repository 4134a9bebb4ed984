// The benchmark's databases: one scratch database per table size, seeded in a single
// INSERT ... SELECT so that a million rows take seconds, not minutes.
import mysql from 'mysql2/promise';
import {
  createScratchDatabase,
  type ScratchDatabase,
  type ServerAddress,
} from '../../db/bootstrap.ts';

const SCRATCH_PREFIX = 'tristack_bench';
/** db/init.sql's own rows (ids 1-3): seeding adds the rest after them. */
const INIT_SQL_ROWS = 3;

export interface SeededDatabase extends ScratchDatabase {
  rows: number;
  /** The largest id after seeding: ids run densely from 1 to it. */
  maxId: number;
  seedSeconds: number;
}

/** The server from MYSQL_HOST/PORT/USER/PASSWORD, defaulting to the local root setup. */
export function serverAddressFromEnv(env: NodeJS.ProcessEnv = process.env): ServerAddress {
  const port = Number(env.MYSQL_PORT || 3306);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`MYSQL_PORT must be a port from 1 to 65535, got "${env.MYSQL_PORT}"`);
  }
  return {
    host: env.MYSQL_HOST || '127.0.0.1',
    port,
    user: env.MYSQL_USER || 'root',
    password: env.MYSQL_PASSWORD ?? '',
  };
}

const REACHABILITY_TIMEOUT_MS = 5_000;

/** Fails at once, naming the server, when the database is out of reach (before any build). */
export async function assertServerReachable(server: ServerAddress): Promise<void> {
  try {
    const connection = await mysql.createConnection({
      ...server,
      connectTimeout: REACHABILITY_TIMEOUT_MS,
    });
    await connection.end();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot reach MySQL at ${server.host}:${server.port} as ${server.user} (${reason}); ` +
        'start one, or set MYSQL_HOST, MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD',
    );
  }
}

// Digits 0-9 as a derived table: no helper table, no recursion limit (MySQL stops CTEs at 1,000).
const DIGITS =
  '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 ' +
  'UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';

/** Numbers 0 to count - 1 from as many cross-joined digit tables as count has digits. */
function sequenceSql(count: number): string {
  const digitTables = Math.max(1, String(count - 1).length);
  const tables = Array.from({ length: digitTables }, (_, i) => `${DIGITS} AS d${i}`);
  const number = Array.from({ length: digitTables }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ');
  return (
    `INSERT INTO items (name) SELECT CONCAT('Bench item ', n) FROM ` +
    `(SELECT ${number} AS n FROM ${tables.join(' CROSS JOIN ')}) AS sequence ` +
    'WHERE n < ?'
  );
}

/**
 * A fresh bulk insert leaves a large share of InnoDB's buffer pool dirty, and flushing it in the
 * background takes tens of seconds: that work would land in the first measured runs. Writing the
 * table out now (a few tens of milliseconds) starts every size from a settled server.
 */
async function flushToDisk(connection: mysql.Connection): Promise<void> {
  try {
    await connection.query('FLUSH TABLES items FOR EXPORT');
  } catch {
    // Needs the RELOAD and LOCK TABLES privileges; without them the run goes on unsettled.
    return;
  }
  await connection.query('UNLOCK TABLES');
}

async function seed(server: ServerAddress, database: string, rows: number): Promise<number> {
  const connection = await mysql.createConnection({ ...server, database });
  try {
    const extra = rows - INIT_SQL_ROWS;
    if (extra > 0) await connection.query(sequenceSql(extra), [extra]);
    await flushToDisk(connection);
    const [[result]] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS count, MAX(id) AS maxId FROM items',
    );
    if (Number(result?.count) !== rows) {
      throw new Error(`seeding ${database} left ${result?.count} rows instead of ${rows}`);
    }
    return Number(result?.maxId);
  } finally {
    await connection.end();
  }
}

/**
 * A fresh database holding exactly `rows` items with ids 1..rows; drop() removes it.
 * `onCreated` learns of the database before seeding starts, so an interrupted seed can drop it.
 */
export async function createSeededDatabase(
  server: ServerAddress,
  rows: number,
  onCreated: (database: ScratchDatabase) => void = () => {},
): Promise<SeededDatabase> {
  const scratch = await createScratchDatabase(server, SCRATCH_PREFIX);
  onCreated(scratch);
  try {
    const started = performance.now();
    const maxId = await seed(server, scratch.name, rows);
    return { ...scratch, rows, maxId, seedSeconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await scratch.drop();
    throw error;
  }
}
