// Prometheus metrics: HTTP (by route template), database calls and pool, readiness, and the
// process defaults (CPU, memory, event-loop lag, GC). One registry per app, so tests are isolated.
import type { Request, Response } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats, QueryObserver } from './db.ts';
import { routeTemplate } from './http/route-template.ts';

// Buckets in seconds, from a fast cached read to the database timeout.
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface MetricsSources {
  poolStats: () => PoolStats;
  isReady: () => boolean;
}

export interface Metrics {
  registry: Registry;
  observeQuery: QueryObserver;
  /** A request has arrived (the in-flight gauge). */
  requestStarted(): void;
  /** A request is over: its duration by method, route template and status. */
  requestFinished(req: Request, res: Response, seconds: number): void;
  /** Called once the app's dependencies exist (the pool is created after the metrics). */
  connect(sources: MetricsSources): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let sources: MetricsSources | undefined;

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests being answered right now.',
    registers: [registry],
  });
  const queryDuration = new Histogram({
    name: 'tristack_db_query_duration_seconds',
    help: 'Time of database calls, waiting for a connection included, by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: DB_BUCKETS,
    registers: [registry],
  });
  const queryErrors = new Counter({
    name: 'tristack_db_query_errors_total',
    help: 'Database calls that failed, by operation and reason (unavailable or error).',
    labelNames: ['operation', 'reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'tristack_db_pool_connections',
    help: 'Database pool connections by state: in_use, idle, or requests queued for one.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      if (!sources) return;
      const stats = sources.poolStats();
      this.set({ state: 'in_use' }, stats.inUse);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'queued' }, stats.queued);
    },
  });
  new Gauge({
    name: 'tristack_ready',
    help: '1 when the API is ready to serve (database reachable, not shutting down), else 0.',
    registers: [registry],
    collect() {
      if (sources) this.set(sources.isReady() ? 1 : 0);
    },
  });

  const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

  return {
    registry,
    requestStarted: () => inFlight.inc(),
    requestFinished(req, res, seconds) {
      inFlight.dec();
      requestDuration.observe(
        {
          // Methods are client-chosen strings: bound them too.
          method: knownMethods.has(req.method) ? req.method : 'OTHER',
          route: routeTemplate(req),
          status_code: String(res.statusCode),
        },
        seconds,
      );
    },
    observeQuery(operation, seconds, outcome) {
      queryDuration.observe({ operation, outcome }, seconds);
      if (outcome !== 'ok') queryErrors.inc({ operation, reason: outcome });
    },
    connect(newSources) {
      sources = newSources;
    },
  };
}
