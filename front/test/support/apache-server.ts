// Debian's apache2 running the repository's front/httpd.conf unchanged (front/apache2.ts lays out
// its ServerRoot and command line), started for a test and stopped after it.
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { freePort, LOOPBACK } from '../../../scripts/lib/ports.ts';
import { RunningProcess } from '../../../scripts/lib/processes.ts';
import { apacheLaunch, type ServerRootFiles, type UnixAccount } from '../../apache2.ts';

export { APACHE_BINARY, prepareServerRoot } from '../../apache2.ts';

const APACHE_STARTUP_TIMEOUT_MS = 15_000;

export class ApacheServer {
  private constructor(
    readonly port: number,
    /** The main apache2 process; its children are the workers. */
    readonly process: RunningProcess,
    readonly account: UnixAccount,
    private readonly files: ServerRootFiles,
  ) {}

  /** Starts apache2 on a free loopback port, proxying /api/ to `apiUrl`. */
  static async start(apiUrl: string): Promise<ApacheServer> {
    const port = await freePort();
    const { command, args, account, files } = apacheLaunch(`${LOOPBACK}:${port}`, apiUrl);
    const stdout = openSync(files.accessLog, 'a');
    const stderr = openSync(files.errorLog, 'a');
    let started: RunningProcess;
    try {
      // setpriv execs apache2, so this pid is apache2's main process.
      started = RunningProcess.start(command, args, {
        name: 'apache2',
        env: { PATH: process.env.PATH },
        stdout,
        stderr,
        readLog: () => readFileSync(files.errorLog, 'utf8'),
      });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    const server = new ApacheServer(port, started, account, files);
    try {
      await started.waitForHttp(`${server.url}/`, APACHE_STARTUP_TIMEOUT_MS);
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
    await this.process.stop();
    rmSync(this.files.root, { recursive: true, force: true });
  }
}
