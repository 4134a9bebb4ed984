// The MySQL/MariaDB command-line programs the backup uses: found on PATH under either family's
// name, and run with their streams piped and their complaints kept for the error message.
import { execFile, spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { UserError } from './errors.ts';

/** MariaDB's names first: on a MariaDB host `mysqldump` is a compatibility link that may warn. */
const DUMP_NAMES = ['mariadb-dump', 'mysqldump'];
const CLIENT_NAMES = ['mariadb', 'mysql'];
/** Enough of a program's stderr to say why it failed, not so much that a flood fills memory. */
const STDERR_KEPT_BYTES = 16 * 1024;

export type Family = 'mariadb' | 'mysql';

export interface Program {
  name: string;
  path: string;
  family: Family;
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

async function findProgram(names: string[], packages: string): Promise<Program> {
  for (const name of names) {
    const path = await findOnPath(name);
    if (!path) continue;
    // MySQL's and MariaDB's dump programs take different flags; `--version` says which it is.
    const { stdout } = await promisify(execFile)(path, ['--version']);
    return { name, path, family: /mariadb/i.test(stdout) ? 'mariadb' : 'mysql' };
  }
  throw new UserError(
    `none of ${names.join(', ')} is on PATH: install ${packages} (the same family as the server)`,
  );
}

export const findDumpProgram = () =>
  findProgram(DUMP_NAMES, 'mariadb-client (Debian, Ubuntu) or mysql-client');
export const findClientProgram = () =>
  findProgram(CLIENT_NAMES, 'mariadb-client (Debian, Ubuntu) or mysql-client');

type Stage = NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream;

/**
 * The client echoes the failing statement between dashed lines before its `ERROR 1146 (42S02)
 * at line 40: ...`: the ERROR lines say it all, on one line.
 */
function errorLines(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  const errors = lines.filter((line) => line.startsWith('ERROR'));
  return (errors.length > 0 ? errors : lines.filter(Boolean)).join('; ');
}

interface Streams {
  /** A file and the transforms it goes through on its way to the program's stdin. */
  input?: Stage[];
  /** The transforms and the file the program's stdout goes through. */
  output?: Stage[];
}

/** Runs `program` to its end; throws a UserError with its stderr when it fails. */
export async function runProgram(
  program: Program,
  args: string[],
  streams: Streams,
): Promise<void> {
  const child = spawn(program.path, args, {
    stdio: [streams.input ? 'pipe' : 'ignore', streams.output ? 'pipe' : 'ignore', 'pipe'],
    // Only PATH: MYSQL_HOST, MYSQL_PWD and the like would otherwise feed the programs' defaults.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_KEPT_BYTES) stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const pipes = [
    streams.input && child.stdin ? pipeline([...streams.input, child.stdin]) : undefined,
    streams.output && child.stdout ? pipeline([child.stdout, ...streams.output]) : undefined,
  ];
  const [code, ...piped] = await Promise.allSettled([exited, ...pipes]);
  if (code?.status === 'rejected') throw code.reason;
  // The program's own words say more than the broken pipe its failure causes.
  if (code?.value !== 0) {
    throw new UserError(`${program.name} failed (exit ${code?.value}): ${errorLines(stderr)}`);
  }
  const failedPipe = piped.find((result) => result.status === 'rejected');
  if (failedPipe?.status === 'rejected') throw failedPipe.reason;
}
