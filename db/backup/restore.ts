// `db:restore`: checks the whole file first, refuses a database that holds anything unless
// forced, loads the dump into a staging database and swaps its tables in (swap.ts).
import mysql from 'mysql2/promise';
import type { BackupTarget } from './config.ts';
import { describeDatabaseError, UserError } from './errors.ts';
import {
  connectToServer,
  databaseExists,
  describeTables,
  formatTables,
  type TableContents,
} from './inventory.ts';
import { loadDump } from './load.ts';
import { scratchDatabaseName, swapTables } from './swap.ts';
import { describeDump, verifyDump } from './verify.ts';

export interface RestoreOptions {
  /** Replace a database that holds tables. */
  force: boolean;
  /** Where progress lines go (the terminal). */
  report: (line: string) => void;
}

export interface RestoreResult {
  replaced: TableContents[];
  restored: TableContents[];
}

/** The staging databases need rights beyond the target's: say which, where it matters. */
function explain(error: unknown, target: BackupTarget): string {
  const reason = describeDatabaseError(error);
  const code = (error as { code?: string }).code;
  if (code === 'ER_DBACCESS_DENIED_ERROR' || /access denied .* to database/i.test(reason)) {
    return `${reason}. Restore stages the dump in databases named ${target.database}_restore_* and ${target.database}_replaced_*: its user needs CREATE, DROP and ALTER there (root has them)`;
  }
  return reason;
}

export async function restoreBackup(
  target: BackupTarget,
  path: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  options.report(describeDump(path, await verifyDump(path)));
  const { server, database } = target;
  const where = `${database} on ${server.host}:${server.port}`;
  let connection: mysql.Connection;
  try {
    connection = await connectToServer(server);
  } catch (error) {
    throw new UserError(
      `cannot reach ${server.host}:${server.port} as ${server.user}: ${describeDatabaseError(error)}`,
    );
  }
  try {
    const replaced = (await databaseExists(connection, database))
      ? await describeTables(connection, database)
      : [];
    if (replaced.length > 0 && !options.force) {
      throw new UserError(
        `${where} is not empty: it holds ${formatTables(replaced)}. Restoring ${path} would replace all of it; run again with --force to do so. Nothing was changed.`,
      );
    }
    if (replaced.length > 0) options.report(`replacing ${where}: ${formatTables(replaced)}`);
    const restored = await stageAndSwap(connection, target, path);
    return { replaced, restored };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `restore of ${where} failed: ${explain(error, target)}. Nothing was changed.`,
    );
  } finally {
    await connection.end().catch(() => undefined);
  }
}

async function stageAndSwap(
  connection: mysql.Connection,
  target: BackupTarget,
  path: string,
): Promise<TableContents[]> {
  const staging = scratchDatabaseName(target.database, 'restore');
  await connection.query(`CREATE DATABASE ${mysql.escapeId(staging)} CHARACTER SET utf8mb4`);
  try {
    try {
      await loadDump(target.server, path, staging);
    } catch (error) {
      throw new UserError(
        `the dump did not load into a staging database: ${explain(error, target)}. ${target.database} was not changed.`,
      );
    }
    const restored = await describeTables(connection, staging);
    const views = restored.filter((table) => table.rows === undefined);
    if (views.length > 0) {
      // RENAME TABLE cannot move a view to another database.
      throw new UserError(
        `the dump holds views (${views.map((view) => view.name).join(', ')}), which restore cannot swap in. Nothing was changed.`,
      );
    }
    await swapTables(connection, staging, target.database);
    return restored;
  } finally {
    await connection.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(staging)}`);
  }
}
