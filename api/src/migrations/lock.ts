// One run at a time per database: two pods, or a pod and a laptop, must not apply the same
// migration twice. GET_LOCK belongs to the session that took it, so the server releases it by
// itself when that runner's connection goes, however the runner died.
import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { MigrationError } from './errors.ts';

/**
 * How long a runner waits for another to finish before it gives up. Long enough for a slow
 * ALTER on a large table, short enough that a stuck run is noticed (the runner exits non-zero).
 */
export const LOCK_WAIT_SECONDS = 300;
/** The server refuses lock names longer than this. */
const LOCK_NAME_MAX = 64;
const LOCK_PREFIX = 'tristack.migrate.';

/** One lock per database, so runs against different databases never wait for each other. */
export function lockName(database: string): string {
  const name = `${LOCK_PREFIX}${database}`;
  if (name.length <= LOCK_NAME_MAX) return name;
  const digest = createHash('sha256').update(database).digest('hex');
  return `${LOCK_PREFIX}${digest.slice(0, LOCK_NAME_MAX - LOCK_PREFIX.length)}`;
}

async function getLock(connection: Connection, name: string, seconds: number): Promise<boolean> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS acquired', [
    name,
    seconds,
  ]);
  const acquired = rows[0]?.acquired;
  if (acquired === null || acquired === undefined) {
    throw new MigrationError(`the server could not take the lock ${name}`);
  }
  return Number(acquired) === 1;
}

/** Takes the run's lock, waiting (and saying so) while another runner holds it. */
export async function acquireLock(
  connection: Connection,
  database: string,
  waitSeconds: number,
  log: (message: string) => void,
): Promise<void> {
  const name = lockName(database);
  if (await getLock(connection, name, 0)) return;
  const [rows] = await connection.query<RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [
    name,
  ]);
  log(
    `another migration run (connection ${rows[0]?.holder ?? 'unknown'}) holds ${name}: ` +
      `waiting for it, up to ${waitSeconds} s`,
  );
  if (!(await getLock(connection, name, waitSeconds))) {
    throw new MigrationError(
      `another migration run still holds ${name} after ${waitSeconds} s; nothing was applied`,
    );
  }
}

export async function releaseLock(connection: Connection, database: string): Promise<void> {
  await connection.query('SELECT RELEASE_LOCK(?)', [lockName(database)]);
}
