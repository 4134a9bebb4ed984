// The API as a running server: listen, bound slow clients, and shut down gracefully within a
// bounded time: fail readiness and ask every client to reconnect, keep serving for the shutdown
// delay so that balancers stop sending new connections here, then stop accepting, finish
// in-flight requests (drain.ts) and close the pool. The process entry is main.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from './app.ts';
import { type Config, SHUTDOWN_GRACE_MS } from './config.ts';
import { createDatabase } from './db.ts';
import { trackConnections } from './drain.ts';
import { createExpressServer } from './http/express-server.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';

/** The server's state that the app reads: /status fails once shutdown has begun. */
export interface Lifecycle {
  /** True once shutdown has begun: readiness fails so that traffic moves elsewhere. */
  draining: boolean;
}

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
      shutdownDelayMs: config.shutdownDelayMs,
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
      connections.closeAfterEachAnswer();
      logger.info(
        { event: 'api.stopping', reason, delayMs: config.shutdownDelayMs },
        'shutting down: readiness fails; still serving until balancers stop sending here',
      );
      // The listener stays open: a connection a balancer sends before it has seen /status fail,
      // or one already waiting in the kernel's accept queue, is served rather than reset.
      await sleep(config.shutdownDelayMs);
      logger.info({ event: 'api.draining' }, 'closing the listener: draining in-flight requests');
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
