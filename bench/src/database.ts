// The benchmark's databases: one scratch database per table size, seeded once per run in a single
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

async function countRows(
  connection: mysql.Connection,
  database: string,
  rows: number,
): Promise<number> {
  const [[result]] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT COUNT(*) AS count, MAX(id) AS maxId FROM items',
  );
  if (Number(result?.count) !== rows) {
    throw new Error(`${database} holds ${result?.count} rows instead of ${rows}`);
  }
  return Number(result?.maxId);
}

async function seed(server: ServerAddress, database: string, rows: number): Promise<number> {
  const connection = await mysql.createConnection({ ...server, database });
  try {
    const extra = rows - INIT_SQL_ROWS;
    if (extra > 0) await connection.query(sequenceSql(extra), [extra]);
    await flushToDisk(connection);
    return await countRows(connection, database, rows);
  } finally {
    await connection.end();
  }
}

/**
 * Takes a seeded table back to its seeded rows: the write scenarios only add rows (POST), after
 * the seeded ids, so deleting those is enough. Cheaper by far than seeding 1,000,000 rows again.
 */
export async function restoreSeededRows(
  server: ServerAddress,
  database: SeededDatabase,
): Promise<void> {
  const connection = await mysql.createConnection({ ...server, database: database.name });
  try {
    await connection.query('DELETE FROM items WHERE id > ?', [database.maxId]);
    await flushToDisk(connection);
    const maxId = await countRows(connection, database.name, database.rows);
    if (maxId !== database.maxId) {
      throw new Error(
        `${database.name}: largest id ${maxId} after restoring, not ${database.maxId}`,
      );
    }
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
