// Running the API as a server: listen, bound slow clients, and shut down gracefully (fail
// readiness, stop accepting, finish in-flight requests, close the pool) within a bounded time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createDatabase } from './db.ts';
import { trackConnections } from './drain.ts';
import type { Lifecycle } from './health.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';

/** In-flight requests get this long to finish after SIGTERM (Kubernetes allows 30 s in all). */
export const SHUTDOWN_GRACE_MS = 10_000;
/** A client must send its headers within this time... */
const HEADERS_TIMEOUT_MS = 10_000;
/** ...and its whole request within this one, so slow clients cannot hold connections forever. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Longer than the idle timeout of the proxies in front (nginx and ALB use 60 s), so they close first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export interface RunningApi {
  server: Server;
  port: number;
  logger: Logger;
  /** Resolves true when every request finished in time, false when some had to be cut. */
  shutdown(reason: string): Promise<boolean>;
}

export async function startApi(
  config: Config,
  logger = createLogger(config.logLevel),
): Promise<RunningApi> {
  const metrics = createMetrics();
  const db = createDatabase(config.mysql, logger, metrics.observeQuery);
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp({ config, db, logger, metrics, lifecycle });

  const server = createServer(app);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const connections = trackConnections(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info(
    {
      event: 'api.started',
      port,
      mysql: { ...config.mysql, password: undefined },
      corsOrigins: config.corsOrigins,
      rateLimitPerMinute: config.rateLimitPerMinute,
    },
    `tristack API listening on ${port}`,
  );
  // Say at once whether the database is there; the API serves (503s) either way.
  void db.ping().then((ok) => {
    if (!ok) logger.warn({ event: 'database.unreachable-at-start' }, 'database not reachable yet');
  });

  let stopping: Promise<boolean> | undefined;
  function shutdown(reason: string): Promise<boolean> {
    stopping ??= (async () => {
      lifecycle.draining = true;
      logger.info({ event: 'api.stopping', reason }, 'shutting down: draining in-flight requests');
      const drained = await connections.drain(SHUTDOWN_GRACE_MS);
      await db
        .close()
        .catch((error: unknown) => logger.warn({ err: error }, 'closing the pool failed'));
      logger.info(
        { event: 'api.stopped', drained },
        drained ? 'stopped' : 'stopped; some requests were cut',
      );
      return drained;
    })();
    return stopping;
  }

  return { server, port, logger, shutdown };
}
