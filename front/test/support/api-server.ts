// The real API (api/src/server.ts) as a child process, stoppable and restartable on one port so
// the tests can take it away from the page and give it back.
import { type ChildProcess, spawn } from 'node:child_process';
import { mysqlEnv } from '../../../db/bootstrap.ts';
import { API_ENTRY, REPO_ROOT } from './paths.ts';
import { findFreePort, LOOPBACK } from './ports.ts';
import { OutputTail, stopProcess, waitForHttp } from './processes.ts';

const API_STARTUP_TIMEOUT_MS = 30_000;

/** How the API reaches the database: the machine's MariaDB unless the environment says otherwise. */
export const DATABASE_SERVER = {
  host: process.env.MYSQL_HOST ?? LOOPBACK,
  port: Number(process.env.MYSQL_PORT ?? 3306),
  user: process.env.MYSQL_USER ?? 'root',
  password: process.env.MYSQL_PASSWORD ?? '',
};

export class ApiServer {
  private child: ChildProcess | undefined;
  private readonly output = new OutputTail();

  private constructor(
    readonly port: number,
    private readonly databaseName: string,
  ) {}

  /** Starts the API on a free port against `databaseName` and waits until it is alive. */
  static async start(databaseName: string): Promise<ApiServer> {
    const server = new ApiServer(await findFreePort(), databaseName);
    await server.start();
    return server;
  }

  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** (Re)starts the process on the same port; `overrides` replace some of its environment. */
  async start(overrides: Record<string, string> = {}): Promise<void> {
    if (this.child) throw new Error(`the API on port ${this.port} is already running`);
    const child = spawn(process.execPath, ['--import', 'tsx', API_ENTRY], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        API_PORT: String(this.port),
        ...mysqlEnv(DATABASE_SERVER, this.databaseName),
        // The browser tests send many requests from one address in a few seconds.
        RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'warn',
        ...overrides,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk) => this.output.append(chunk));
    child.stderr?.on('data', (chunk) => this.output.append(chunk));
    await waitForHttp(`${this.url}/healthz`, {
      child,
      timeoutMs: API_STARTUP_TIMEOUT_MS,
      describe: () => `API output:\n${this.output}`,
    });
  }

  /** SIGTERM, as Kubernetes and Compose stop it; resolves once the process has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopProcess(child);
  }
}
