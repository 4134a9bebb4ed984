// Running the API as a server: listen, bound slow clients, and shut down gracefully (fail
// readiness, stop accepting, finish in-flight requests, close the pool) within a bounded time.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createDatabase } from './db.ts';
import { trackConnections } from './drain.ts';
import type { Lifecycle } from './health.ts';
import { createExpressServer } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';

/** In-flight requests get this long to finish after SIGTERM (Kubernetes allows 30 s in all). */
export const SHUTDOWN_GRACE_MS = 10_000;
/** How long clients get before the server gives up on them, so slow ones cannot hold connections. */
export interface ClientTimeouts {
  /** All request headers must arrive within this time. */
  headersMs: number;
  /** The whole request, body included, must arrive within this time. */
  requestMs: number;
  /** An idle keep-alive connection closes after this time. */
  keepAliveMs: number;
  /** How often the server checks the two limits above (Node's default is 30 s). */
  checkIntervalMs: number;
}

export const CLIENT_TIMEOUTS: ClientTimeouts = {
  headersMs: 10_000,
  requestMs: 15_000,
  // Longer than the idle timeout of the proxies in front (nginx, ALB: 60 s), so they close first.
  keepAliveMs: 65_000,
  checkIntervalMs: 1_000,
};

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
  timeouts: ClientTimeouts = CLIENT_TIMEOUTS,
): Promise<RunningApi> {
  const metrics = createMetrics();
  const db = createDatabase(config.mysql, logger, metrics.observeQuery);
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp({ config, db, logger, metrics, lifecycle });

  const server = createExpressServer(app, {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  });
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
