// Feeds a dump to the mysql (or mariadb) client, into a database of the caller's choosing: the
// dump names no database of its own (mysqldump without --databases writes no USE).
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { ServerAddress } from '../bootstrap.ts';
import { writeOptionsFile } from './options-file.ts';
import { findClientProgram, runProgram } from './programs.ts';

/**
 * - binary-mode: no client command (`\!` runs a shell) is obeyed from the file, only SQL and
 *   DELIMITER; it also lets MySQL's client read a MariaDB dump's first line (a sandbox command
 *   it does not know), which reaches the server as the comment it is;
 * - batch: the first failing statement stops the load with its error.
 */
const CLIENT_FLAGS = ['--batch', '--binary-mode', '--default-character-set=utf8mb4'];

export async function loadDump(server: ServerAddress, path: string, database: string) {
  const program = await findClientProgram();
  const options = await writeOptionsFile(server);
  try {
    await runProgram(program, [options.argument, ...CLIENT_FLAGS, `--database=${database}`], {
      input: [createReadStream(path), createGunzip()],
    });
  } finally {
    await options.remove();
  }
}
