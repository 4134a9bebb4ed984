// A throwaway MariaDB/MySQL server of the tests' own (temporary data directory, free port on
// 127.0.0.1), so fault tests can kill, pause and restart it without touching the shared one.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerAddress } from '../../../db/bootstrap.ts';
import { findServerBinary, LocalServer, SERVER_BINARIES } from '../../../db/local-server.ts';
import { freePort } from '../../../scripts/lib/ports.ts';
import { processStat } from '../../../scripts/lib/proc.ts';

const STOP_TIMEOUT_MS = 2000;

export class PrivateMysqld {
  private constructor(
    private readonly server: LocalServer,
    private readonly directory: string,
  ) {}

  /** Initialises a data directory and starts the server on a free port. */
  static async start(): Promise<PrivateMysqld> {
    const binary = findServerBinary();
    if (!binary) {
      throw new Error(
        `fault tests need a mariadbd or mysqld binary (looked in ${SERVER_BINARIES.join(', ')}): apt-get install mariadb-server`,
      );
    }
    const directory = await mkdtemp(join(tmpdir(), 'tristack-mysqld-'));
    const server = await LocalServer.start({ binary, directory, port: await freePort() });
    return new PrivateMysqld(server, directory);
  }

  get address(): ServerAddress {
    return this.server.address;
  }

  get port(): number {
    return this.server.port;
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  /** Starts the server on the same data directory and port, and waits until it answers. */
  resume(): Promise<void> {
    return this.server.resume();
  }

  /** kill -9: no clean shutdown, as in a crash or an OOM kill. */
  kill(): Promise<void> {
    return this.server.kill();
  }

  /** SIGSTOP, resolved once every thread of the server has actually stopped (delivery is asynchronous). */
  async pause(): Promise<void> {
    const pid = this.pid;
    if (!pid) return;
    process.kill(pid, 'SIGSTOP');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const threads = await readdir(`/proc/${pid}/task`);
      const states = await Promise.all(
        threads.map(async (thread) => (await processStat(pid, Number(thread)))?.state),
      );
      if (states.every((state) => state === 'T' || state === 't')) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`mysqld ${pid} did not stop within ${STOP_TIMEOUT_MS} ms`);
  }

  unpause(): void {
    if (this.pid) process.kill(this.pid, 'SIGCONT');
  }

  /** Stops the server and removes its data directory. */
  async destroy(): Promise<void> {
    this.unpause();
    await this.kill();
    await rm(this.directory, { recursive: true, force: true });
  }
}
