// Debian's apache2 running the repository's front/httpd.conf unchanged (front/apache2.ts lays out
// its ServerRoot and command line), started for a test and stopped after it.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { apacheLaunch, type ServerRootFiles, type UnixAccount } from '../../apache2.ts';
import { findFreePort, LOOPBACK } from './ports.ts';
import { stopProcess, waitForHttp } from './processes.ts';

export { APACHE_BINARY, prepareServerRoot } from '../../apache2.ts';

const APACHE_STARTUP_TIMEOUT_MS = 15_000;

export class ApacheServer {
  private constructor(
    readonly port: number,
    /** The main apache2 process; its children are the workers. */
    readonly child: ChildProcess,
    readonly account: UnixAccount,
    private readonly files: ServerRootFiles,
  ) {}

  /** Starts apache2 on a free loopback port, proxying /api/ to `apiUrl`. */
  static async start(apiUrl: string): Promise<ApacheServer> {
    const port = await findFreePort();
    const { command, args, account, files } = apacheLaunch(`${LOOPBACK}:${port}`, apiUrl);
    const stdout = openSync(files.accessLog, 'a');
    const stderr = openSync(files.errorLog, 'a');
    let child: ChildProcess;
    try {
      // setpriv execs apache2, so this pid is apache2's main process.
      child = spawn(command, args, {
        stdio: ['ignore', stdout, stderr],
        env: { PATH: process.env.PATH },
      });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    const server = new ApacheServer(port, child, account, files);
    try {
      await waitForHttp(`${server.url}/`, {
        child,
        timeoutMs: APACHE_STARTUP_TIMEOUT_MS,
        describe: () => `apache2 stderr:\n${server.readErrorLog()}`,
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** What httpd wrote to stdout: the access log. */
  readAccessLog(): string {
    return readFileSync(this.files.accessLog, 'utf8');
  }

  /** What httpd wrote to stderr: the error log. */
  readErrorLog(): string {
    return readFileSync(this.files.errorLog, 'utf8');
  }

  /** Stops apache2 (SIGTERM stops the workers too) and removes its ServerRoot. */
  async stop(): Promise<void> {
    await stopProcess(this.child);
    rmSync(this.files.root, { recursive: true, force: true });
  }
}
