// `db:backup`: mysqldump's (or mariadb-dump's) text of one database, gzip-compressed into a file
// that appears under its name only once it is complete and has passed the same check restore
// makes (verify.ts).
import { createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import type { BackupTarget } from './config.ts';
import { describeDatabaseError, UserError } from './errors.ts';
import { connectToServer, databaseExists } from './inventory.ts';
import { writeOptionsFile } from './options-file.ts';
import { type Family, findDumpProgram, runProgram } from './programs.ts';
import { type DumpSummary, verifyDump } from './verify.ts';

/** Dumps hold every row: readable by their owner only. */
const OWNER_ONLY = 0o600;
export const DUMP_EXTENSION = '.sql.gz';

/**
 * The flags both families share; docker-compose.yml's backup service passes the same ones
 * (db/backup/compose-backup.sh).
 * - single-transaction: one consistent InnoDB snapshot, taken without locking out the API's
 *   writes (REPEATABLE READ, START TRANSACTION WITH CONSISTENT SNAPSHOT);
 * - no-tablespaces: tablespace statements need the PROCESS privilege the app user lacks, and a
 *   single-database restore has no use for them;
 * - hex-blob: binary columns survive any client character set;
 * - triggers: the schema's own, should it gain any (the default, written for the reader).
 */
export const SHARED_DUMP_FLAGS = [
  '--single-transaction',
  '--no-tablespaces',
  '--hex-blob',
  '--default-character-set=utf8mb4',
  '--triggers',
];

/**
 * MySQL's mysqldump only: without set-gtid-purged=OFF a server with GTIDs on writes a
 * GTID_PURGED statement that fails on any server that has executed transactions of its own;
 * column-statistics=0 spares a MariaDB server a query for a table it does not have.
 */
const MYSQL_ONLY_FLAGS = ['--set-gtid-purged=OFF', '--column-statistics=0'];

export function dumpFlags(family: Family): string[] {
  return family === 'mysql' ? [...SHARED_DUMP_FLAGS, ...MYSQL_ONLY_FLAGS] : SHARED_DUMP_FLAGS;
}

/** `out` as given, or a dated file inside it when it is a folder (ends with / or exists as one). */
export async function resolveOutputPath(out: string, database: string, now = new Date()) {
  const isFolder = out.endsWith('/') || (await stat(out).catch(() => undefined))?.isDirectory();
  if (!isFolder) return out;
  // 20261201T114941Z: sorts by time and needs no quoting in any shell.
  const stamp = now.toISOString().replace(/[-:]|\.\d+/g, '');
  return join(out, `${database}-${stamp}${DUMP_EXTENSION}`);
}

export interface BackupResult {
  path: string;
  fileBytes: number;
  summary: DumpSummary;
}

async function requireDatabase(target: BackupTarget): Promise<void> {
  const { server, database } = target;
  const where = `${server.host}:${server.port} as ${server.user}`;
  let connection: Awaited<ReturnType<typeof connectToServer>> | undefined;
  try {
    connection = await connectToServer(server);
    if (!(await databaseExists(connection, database))) {
      throw new UserError(`database ${database} does not exist on ${where}`);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot reach ${where}: ${describeDatabaseError(error)}`);
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

/** Writes the dump of `target` to `out`; refuses a file that already exists. */
export async function writeBackup(target: BackupTarget, out: string): Promise<BackupResult> {
  const path = await resolveOutputPath(out, target.database);
  if (await stat(path).catch(() => undefined)) {
    throw new UserError(`${path} already exists: choose another name or remove it first`);
  }
  await requireDatabase(target);
  const program = await findDumpProgram();
  const options = await writeOptionsFile(target.server);
  const partial = `${path}.partial-${process.pid}`;
  try {
    const file = createWriteStream(partial, { flags: 'wx', mode: OWNER_ONLY });
    await runProgram(program, [options.argument, ...dumpFlags(program.family), target.database], {
      output: [createGzip(), file],
    });
    await flushToDisk(partial);
    // The file restore will read, read back as restore reads it, before it gets its name.
    const summary = await verifyDump(partial);
    await rename(partial, path);
    return { path, fileBytes: (await stat(path)).size, summary };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await options.remove();
  }
}

/** A backup that a power cut can undo is no backup: the data reach the disk before the rename. */
async function flushToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
