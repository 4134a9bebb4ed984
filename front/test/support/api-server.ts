// The real API as a child process, stoppable and restartable on one port so the tests can take
// it away from the page and give it back.
import { type ApiProcess, startApiProcess } from '../../../api/test/support/api-process.ts';
import { mysqlEnv } from '../../../db/bootstrap.ts';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';
import { freePort, LOOPBACK } from '../../../scripts/lib/ports.ts';

export class ApiServer {
  private api: ApiProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly databaseName: string,
  ) {}

  /** Starts the API on a free port against `databaseName` and waits until it is alive. */
  static async start(databaseName: string): Promise<ApiServer> {
    const server = new ApiServer(await freePort(), databaseName);
    await server.start();
    return server;
  }

  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** (Re)starts the process on the same port; `overrides` replace some of its environment. */
  async start(overrides: Record<string, string> = {}): Promise<void> {
    if (this.api) throw new Error(`the API on port ${this.port} is already running`);
    this.api = await startApiProcess(
      {
        ...mysqlEnv(databaseServerFromEnv(), this.databaseName),
        // The browser tests send many requests from one address in a few seconds.
        RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'warn',
        ...overrides,
      },
      { port: this.port },
    );
  }

  /** SIGTERM, as Kubernetes and Compose stop it; resolves once the process has exited. */
  async stop(): Promise<void> {
    const api = this.api;
    this.api = undefined;
    await api?.stop('SIGTERM');
  }
}
