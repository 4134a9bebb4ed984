// Probes and metrics: /status (readiness: can we query the database?), /healthz (liveness: is
// the process answering?), /metrics (Prometheus).
import { Router } from 'express';
import type { Database } from './db.ts';
import { sendJson } from './http/json.ts';
import type { Metrics } from './metrics.ts';
import type { Lifecycle } from './server.ts';

export function healthRouter(db: Database, metrics: Metrics, lifecycle: Lifecycle): Router {
  const router = Router();

  router.get('/status', async (_req, res) => {
    const ready = !lifecycle.draining && (await db.ping());
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
