// The dump and client programs get their address and password from an option file of mode
// 0600 in a private folder, never from the command line: any local user can read another's
// arguments (ps, /proc/PID/cmdline), and MYSQL_PWD is deprecated by MySQL and as readable
// through /proc/PID/environ by the same user as this file is.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerAddress } from '../bootstrap.ts';

const OWNER_ONLY = 0o600;

/**
 * An option-file value in double quotes: inside them the client programs read `\\` and `\"`
 * as escapes and keep `#`, `;` and spaces as they are.
 */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export interface OptionsFile {
  /** The first argument of every mysqldump/mysql call: `--defaults-file=PATH`. */
  argument: string;
  remove(): Promise<void>;
}

/**
 * Writes the server's address and credentials for the client programs (no connect timeout:
 * mariadb-dump has no such option, and both commands reach the server through mysql2 first). `--defaults-file` (not
 * `--defaults-extra-file`) so that a ~/.my.cnf or /etc/mysql setting cannot point the dump at
 * another host or database than the MYSQL_* variables say.
 */
export async function writeOptionsFile(server: ServerAddress): Promise<OptionsFile> {
  const folder = await mkdtemp(join(tmpdir(), 'tristack-backup-'));
  const path = join(folder, 'client.cnf');
  const lines = [
    '[client]',
    `host=${quoted(server.host)}`,
    `port=${server.port}`,
    // "localhost" would otherwise mean the Unix socket to these programs, and TCP to the API.
    'protocol=TCP',
    `user=${quoted(server.user)}`,
    `password=${quoted(server.password)}`,
  ];
  await writeFile(path, `${lines.join('\n')}\n`, { mode: OWNER_ONLY, flag: 'wx' });
  return {
    argument: `--defaults-file=${path}`,
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
