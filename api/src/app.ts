// The Express application, built from its dependencies. It never listens: server.ts does, and
// the tests drive it with supertest against a real database.
import express, { type RequestHandler } from 'express';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import { healthRouter } from './health.ts';
import { stripApiPrefix } from './http/api-prefix.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { HttpProblem } from './http/problem.ts';
import { requestContext } from './http/request-context.ts';
import { corsPolicy, rateLimiter, securityHeaders } from './http/security.ts';
import { itemsRepository } from './items/items.repository.ts';
import { itemsRouter } from './items/items.routes.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { type SchemaVersionCheck, schemaVersionCheck } from './schema-version.ts';
import type { Lifecycle } from './server.ts';

export interface AppDependencies {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
}

// Behind an Ingress or a reverse proxy on a private network, the client address is the one that
// proxy reports; a public address in X-Forwarded-For is never trusted.
const TRUSTED_PROXIES = 'loopback, linklocal, uniquelocal';
/** Seconds a client should wait before retrying while the schema is too old. */
const RETRY_AFTER_SCHEMA_SECONDS = 5;

/**
 * Item routes answer 503 while the schema is older than the API needs, instead of a 500 per
 * query on a missing column. Once the schema was seen current this is a boolean test.
 */
function requireCurrentSchema(schema: SchemaVersionCheck): RequestHandler {
  const tooOld = async (): Promise<void> => {
    if (await schema.isCurrent()) return;
    throw new HttpProblem(
      503,
      'schema-too-old',
      'the database schema is older than this API needs; retry once the migrations have run',
      undefined,
      { 'Retry-After': String(RETRY_AFTER_SCHEMA_SECONDS) },
    );
  };
  // Synchronous once the schema was seen current: every item request passes here, and an async
  // handler would cost it a promise.
  return (_req, _res, next) => {
    if (schema.wasCurrent()) return next();
    tooOld().then(() => next(), next);
  };
}

export function createApp({ config, db, logger, metrics, lifecycle }: AppDependencies) {
  const schema = schemaVersionCheck(db, logger);
  // Asked at once, so a too-old schema is in the log at start-up, before any probe; a database
  // not reachable yet is reported by the pool, and the next probe asks again.
  schema.isCurrent().catch(() => {});
  metrics.connect({
    poolStats: () => db.poolStats(),
    isReady: () => !lifecycle.draining && db.isAvailable() && schema.wasCurrent(),
  });

  const app = express();
  app.disable('x-powered-by');
  // Pages change with every write; an ETag costs a hash of each body for little gain.
  app.set('etag', false);
  app.set('trust proxy', TRUSTED_PROXIES);

  app.use(stripApiPrefix);
  app.use(requestContext(logger, metrics));
  app.use((_req, res, next) => {
    // API answers are live data: never stored in shared caches. (`Connection: close` while
    // shutting down is the server's, drain.ts: it must reach answers already under way too.)
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(securityHeaders());
  app.use(corsPolicy(config.corsOrigins));

  // Probes come before the rate limit: a kubelet must never be throttled.
  app.use(healthRouter(db, schema, metrics, lifecycle));
  const limiter = rateLimiter(config.rateLimitPerMinute);
  if (limiter) app.use(limiter);
  app.use(requireCurrentSchema(schema));
  app.use(itemsRouter(itemsRepository(db)));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
