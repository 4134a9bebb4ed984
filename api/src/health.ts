// Probes and metrics: /status (readiness: can we query the database, and is its schema the one
// this API needs?), /healthz (liveness: is the process answering?), /metrics (Prometheus).
import { Router } from 'express';
import type { Database } from './db.ts';
import { DatabaseUnavailableError } from './errors.ts';
import { sendJson } from './http/json.ts';
import type { Metrics } from './metrics.ts';
import type { SchemaVersionCheck } from './schema-version.ts';
import type { Lifecycle } from './server.ts';

/** True when the schema is current; false when it is too old or the database cannot say. */
async function schemaIsCurrent(schema: SchemaVersionCheck): Promise<boolean> {
  try {
    return await schema.isCurrent();
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return false;
    throw error;
  }
}

export function healthRouter(
  db: Database,
  schema: SchemaVersionCheck,
  metrics: Metrics,
  lifecycle: Lifecycle,
): Router {
  const router = Router();

  router.get('/status', async (_req, res) => {
    const ready = !lifecycle.draining && (await db.ping()) && (await schemaIsCurrent(schema));
    sendJson(res, ready ? 200 : 503, { status: ready ? 'OK' : 'ERREUR' });
  });

  router.get('/healthz', (_req, res) => {
    sendJson(res, 200, { status: 'OK' });
  });

  router.get('/metrics', async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(body);
  });

  return router;
}
