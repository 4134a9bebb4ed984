// Restore stages a dump in a database of its own and only then moves its tables into the
// target, with one RENAME TABLE: the server applies every rename of it or none, so a failed
// restore (a bad statement, a full disk, a lost connection) leaves the target as it was, even
// with --force, and the API never sees a half-restored schema.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { listTables } from './inventory.ts';

/** Room for the suffix inside MySQL's 64-character limit on database names. */
const NAME_PREFIX_LENGTH = 40;
/**
 * RENAME waits for the API's open statements on the old tables (metadata locks); the server's
 * default wait is a day or a year. Past this, the restore fails and nothing has changed.
 */
const LOCK_WAIT_SECONDS = 30;

const id = (name: string) => mysql.escapeId(name);

/** "tristack_restore_1f2e3d4c": the staging databases restore creates and always drops. */
export function scratchDatabaseName(target: string, purpose: 'restore' | 'replaced'): string {
  return `${target.slice(0, NAME_PREFIX_LENGTH)}_${purpose}_${randomBytes(4).toString('hex')}`;
}

/**
 * Replaces every table of `target` with the tables of `staging`, in one atomic statement; the
 * replaced tables are dropped afterwards. `target` is created when missing.
 */
export async function swapTables(
  connection: mysql.Connection,
  staging: string,
  target: string,
): Promise<void> {
  await connection.query(`CREATE DATABASE IF NOT EXISTS ${id(target)} CHARACTER SET utf8mb4`);
  const replaced = scratchDatabaseName(target, 'replaced');
  await connection.query(`CREATE DATABASE ${id(replaced)}`);
  try {
    const moves = [
      ...(await listTables(connection, target)).map(
        ({ name }) => `${id(target)}.${id(name)} TO ${id(replaced)}.${id(name)}`,
      ),
      ...(await listTables(connection, staging)).map(
        ({ name }) => `${id(staging)}.${id(name)} TO ${id(target)}.${id(name)}`,
      ),
    ];
    if (moves.length === 0) return;
    await connection.query(`SET SESSION lock_wait_timeout = ${LOCK_WAIT_SECONDS}`);
    await connection.query(`RENAME TABLE ${moves.join(', ')}`);
  } finally {
    await connection.query(`DROP DATABASE IF EXISTS ${id(replaced)}`);
  }
}
