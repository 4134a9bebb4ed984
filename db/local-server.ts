// A MariaDB/MySQL server of tristack's own, from the binary installed on this machine: a data
// directory initialised on first use, listening on 127.0.0.1 only, root with no password (nothing
// but this machine can reach it). `npm start` keeps one between runs when no server answers where
// the defaults point (docs/database.md, "The private development server"); the fault tests start
// throwaway ones they can kill and pause.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { commandLine } from '../scripts/lib/proc.ts';
import { RunningProcess } from '../scripts/lib/processes.ts';
import type { ServerAddress } from './bootstrap.ts';

const run = promisify(execFile);

/** Where Debian, Ubuntu and the upstream packages install the server. */
export const SERVER_BINARIES = [
  '/usr/sbin/mariadbd',
  '/usr/sbin/mysqld',
  '/usr/bin/mariadbd',
  '/usr/bin/mysqld',
];
const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
const STOP_TIMEOUT_MS = 30_000;
/** How much of the server's log an error message shows. */
const LOG_TAIL_CHARS = 4000;
/** Written once the data directory is complete, so an interrupted initialisation is redone. */
const INITIALISED_MARKER = 'tristack-initialised';

export function findServerBinary(): string | undefined {
  return SERVER_BINARIES.find((path) => existsSync(path));
}

// mysqld refuses to run as root unless told to; a developer's own account needs nothing.
function asRootArguments(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

export interface LocalServerOptions {
  /** The server binary, from findServerBinary(). */
  binary: string;
  /** Holds the data directory, the socket, the pid file and the server's log. */
  directory: string;
  /** A free port on 127.0.0.1. */
  port: number;
}

export class LocalServer {
  private process: RunningProcess | undefined;

  private constructor(private readonly options: LocalServerOptions) {}

  /** Initialises the data directory when it is new, starts the server and waits until it answers. */
  static async start(options: LocalServerOptions): Promise<LocalServer> {
    const server = new LocalServer(options);
    await mkdir(options.directory, { recursive: true, mode: 0o700 });
    await server.stopLeftover();
    if (!existsSync(server.path(INITIALISED_MARKER))) await server.initialise();
    await server.resume();
    return server;
  }

  get address(): ServerAddress {
    return { host: '127.0.0.1', port: this.options.port, user: 'root', password: '' };
  }

  get port(): number {
    return this.options.port;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get logFile(): string {
    return this.path('server.log');
  }

  private path(name: string): string {
    return join(this.options.directory, name);
  }

  private async initialise(): Promise<void> {
    const dataDir = this.path('data');
    await rm(dataDir, { recursive: true, force: true });
    const { binary } = this.options;
    if (binary.includes('mariadbd')) {
      await run('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...asRootArguments(),
      ]);
    } else {
      await run(binary, [
        '--no-defaults',
        '--initialize-insecure',
        `--datadir=${dataDir}`,
        ...asRootArguments(),
      ]);
    }
    await mkdir(this.path(INITIALISED_MARKER));
  }

  /**
   * A server left running by an `npm start` that was killed (SIGKILL gives it no chance to stop
   * its child) still holds the data directory's lock: stop it before starting a new one.
   */
  private async stopLeftover(): Promise<void> {
    const pid = Number((await readFile(this.path('server.pid'), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return;
    if (!(await commandLine(pid)).includes(`--datadir=${this.path('data')}`)) return;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await sleep(POLL_MS);
  }

  /** Starts the server on the same data directory and port, and waits until it answers. */
  async resume(): Promise<void> {
    const { binary, port } = this.options;
    const server = RunningProcess.start(
      binary,
      [
        '--no-defaults',
        `--datadir=${this.path('data')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${this.path('server.sock')}`,
        `--pid-file=${this.path('server.pid')}`,
        `--log-error=${this.logFile}`,
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        ...asRootArguments(),
      ],
      {
        name: binary,
        env: { PATH: process.env.PATH },
        stdout: 'ignore',
        stderr: 'ignore',
        readLog: () => readFileSync(this.logFile, 'utf8').slice(-LOG_TAIL_CHARS),
      },
    );
    this.process = server;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (server.hasExited) throw server.failure('exited before it answered');
      try {
        const connection = await mysql.createConnection({ ...this.address, connectTimeout: 1000 });
        await connection.end();
        return;
      } catch {
        await sleep(POLL_MS);
      }
    }
    throw server.failure(`did not answer within ${READY_TIMEOUT_MS} ms`);
  }

  /** A clean shutdown (SIGTERM), resolved when the server has exited. */
  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM', STOP_TIMEOUT_MS);
    this.process = undefined;
  }

  /** kill -9: no clean shutdown, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    await this.process?.stop('SIGKILL');
    this.process = undefined;
  }
}
