// A throwaway MariaDB/MySQL server of the tests' own (temporary data directory, free port on
// 127.0.0.1), so fault tests can kill, pause and restart it without touching the shared one.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerAddress } from '../../../db/bootstrap.ts';
import { freePort } from '../../../scripts/lib/ports.ts';
import { RunningProcess } from '../../../scripts/lib/processes.ts';

const run = promisify(execFile);
const SERVER_BINARIES = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld', '/usr/bin/mariadbd'];
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 2000;

function findServerBinary(): string {
  const found = SERVER_BINARIES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      `fault tests need a mariadbd or mysqld binary (looked in ${SERVER_BINARIES.join(', ')}): apt-get install mariadb-server`,
    );
  }
  return found;
}

export class PrivateMysqld {
  private server: RunningProcess | undefined;

  private constructor(
    private readonly binary: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** Initialises a data directory and starts the server on a free port. */
  static async start(): Promise<PrivateMysqld> {
    const binary = findServerBinary();
    const dir = await mkdtemp(join(tmpdir(), 'tristack-mysqld-'));
    const server = new PrivateMysqld(binary, dir, await freePort());
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    if (binary.includes('mariadbd')) {
      await run('mariadb-install-db', [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...asRoot,
      ]);
    } else {
      await run(binary, [
        '--no-defaults',
        '--initialize-insecure',
        `--datadir=${join(dir, 'data')}`,
        ...asRoot,
      ]);
    }
    await server.resume();
    return server;
  }

  get address(): ServerAddress {
    return { host: '127.0.0.1', port: this.port, user: 'root', password: '' };
  }

  get pid(): number | undefined {
    return this.server?.pid;
  }

  /** Starts the server on the same data directory and port, and waits until it answers. */
  async resume(): Promise<void> {
    const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
    this.server = RunningProcess.start(
      this.binary,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        ...asRoot,
      ],
      { name: `private ${this.binary} on port ${this.port}`, env: { PATH: process.env.PATH } },
    );
    // The server opens its TCP port last, once it is ready for connections.
    await this.server.waitForPort(this.port, READY_TIMEOUT_MS);
  }

  /** kill -9: no clean shutdown, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    await this.server?.stop('SIGKILL');
    this.server = undefined;
  }

  /** SIGSTOP, resolved once every thread of the server has actually stopped (delivery is asynchronous). */
  async pause(): Promise<void> {
    const pid = this.server?.pid;
    this.server?.signal('SIGSTOP');
    if (!pid) return;
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const threads = await readdir(`/proc/${pid}/task`);
      const states = await Promise.all(
        threads.map(
          async (tid) =>
            (await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8')).split(') ')[1]?.[0],
        ),
      );
      if (states.every((state) => state === 'T' || state === 't')) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`mysqld ${pid} did not stop within ${STOP_TIMEOUT_MS} ms`);
  }

  unpause(): void {
    this.server?.signal('SIGCONT');
  }

  /** Stops the server and removes its data directory. */
  async destroy(): Promise<void> {
    this.unpause();
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
