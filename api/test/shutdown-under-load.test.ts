// A rolling restart as clients see it: two API processes on one database behind a TCP load
// balancer, 16 clients doing steady reads and writes through it, and one API stopped in the
// middle. Not one request may fail, whether the balancer only learns from the failing /status
// (Compose, a plain `docker stop`) or the endpoint is removed before SIGTERM (Kubernetes).
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type ApiProcess, startApiProcess } from './support/api-process.ts';
import { testEnv } from './support/app.ts';
import { readItemsTable, useScratchDatabase } from './support/database.ts';
import { type Backend, LoadBalancer } from './support/load-balancer.ts';
import { send, startLoad, tally } from './support/steady-load.ts';

const LOAD_BEFORE_STOP_MS = 1000;
/** Load goes on after the stopped API exits, so the last clients to move are seen to succeed. */
const LOAD_AFTER_EXIT_MS = 300;
/** Kubernetes' `preStop: sleep 5`, scaled down: the balancer here forgets an endpoint at once. */
const PRE_STOP_PAUSE_MS = 500;
const READINESS_FAILS_WITHIN_MS = 500;
/** How late the listener may close after the delay: the probes below poll every 20 ms. */
const LISTENER_CLOSE_SLACK_MS = 500;
const PROBE_INTERVAL_MS = 20;
/** The delay these processes run with: the API's own default, as Compose and `npm start` get. */
const SHUTDOWN_DELAY_MS = loadConfig({}).shutdownDelayMs;

/** Milliseconds from `since` until /status on this API answers 503. */
async function readinessFailsAfter(api: ApiProcess, since: number): Promise<number> {
  while (performance.now() - since < READINESS_FAILS_WITHIN_MS + SHUTDOWN_DELAY_MS) {
    const probe = await send(api.baseUrl, false, 'GET', '/status');
    if (probe.kind === 'answered' && probe.status === 503) return performance.now() - since;
    await sleep(PROBE_INTERVAL_MS);
  }
  return Number.POSITIVE_INFINITY;
}

function connectRefused(backend: Backend): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(backend);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Milliseconds from `since` until a new connection to this backend is refused. */
async function listenerClosesAfter(backend: Backend, since: number): Promise<number> {
  while (!(await connectRefused(backend))) await sleep(PROBE_INTERVAL_MS);
  return performance.now() - since;
}

function backendOf(api: ApiProcess): Backend {
  const url = new URL(api.baseUrl);
  return { host: url.hostname, port: Number(url.port) };
}

/** SIGTERM, then when readiness failed, the listener closed and the process exited. */
async function stopAndWatch(api: ApiProcess) {
  const signalled = performance.now();
  api.child.kill('SIGTERM');
  const [readinessMs, listenerMs, exit] = await Promise.all([
    readinessFailsAfter(api, signalled),
    listenerClosesAfter(backendOf(api), signalled),
    api.exited.then((code) => ({ code, ms: performance.now() - signalled })),
  ]);
  return { readinessMs, listenerMs, exitCode: exit.code, exitMs: exit.ms };
}

const SCENARIOS = [
  { name: 'with no preStop pause: the balancer learns only from /status', preStop: false },
  { name: 'Kubernetes-style: endpoint removed, a pause, then SIGTERM', preStop: true },
] as const;

describe('one of two APIs behind a load balancer, stopped under load', () => {
  const database = useScratchDatabase();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it.each(SCENARIOS)('fails no request $name', { timeout: 60_000 }, async ({ preStop }) => {
    const env = testEnv(database.name, { LOG_LEVEL: 'warn' });
    const apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    cleanups.push(async () => {
      for (const api of apis) api.child.kill('SIGKILL');
    });
    const [stopping] = apis;
    const backends = apis.map(backendOf);
    const balancer = await LoadBalancer.start(backends);
    cleanups.push(() => balancer.stop());

    const load = startLoad(balancer.url);
    await sleep(LOAD_BEFORE_STOP_MS);
    if (preStop) {
      balancer.remove(backends[0] as Backend);
      await sleep(PRE_STOP_PAUSE_MS);
    }
    // Just after a health check, so the balancer goes on sending here for a whole interval.
    await balancer.afterNextCheck();
    const requestsBeforeSignal = load.outcomes.length;
    const stop = await stopAndWatch(stopping);
    await sleep(LOAD_AFTER_EXIT_MS);
    await load.stop();

    const { failed, toldToClose, createdIds } = tally(load.outcomes);
    const { connectionsPerBackend, noBackend, backendErrors } = balancer.stats;
    console.info(
      `${preStop ? 'Kubernetes-style' : 'no preStop'}: ${load.outcomes.length} requests ` +
        `(${load.outcomes.length - requestsBeforeSignal} after SIGTERM), ${failed.length} failed, ` +
        `${toldToClose} keep-alive answers with Connection: close; connections per backend ` +
        `${connectionsPerBackend.join('/')}; readiness failed after ${Math.round(stop.readinessMs)} ms, ` +
        `listener closed after ${Math.round(stop.listenerMs)} ms (delay ${SHUTDOWN_DELAY_MS} ms), ` +
        `exit ${stop.exitCode} after ${Math.round(stop.exitMs)} ms`,
    );

    expect({ failed: failed.length, first: failed.slice(0, 3) }).toEqual({ failed: 0, first: [] });
    expect({ noBackend, backendErrors }).toEqual({ noBackend: 0, backendErrors: 0 });
    expect(stop.exitCode).toBe(0);
    expect(stop.readinessMs).toBeLessThan(READINESS_FAILS_WITHIN_MS);
    expect(stop.listenerMs).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
    expect(stop.listenerMs).toBeLessThan(SHUTDOWN_DELAY_MS + LISTENER_CLOSE_SLACK_MS);
    // The load really went on through the stop, and keep-alive clients were asked to move.
    expect(load.outcomes.length - requestsBeforeSignal).toBeGreaterThan(100);
    expect(toldToClose).toBeGreaterThan(0);

    const stored = new Set((await readItemsTable(database.name)).map((row) => row.id));
    expect(createdIds.length).toBeGreaterThan(0);
    expect(createdIds.filter((id) => !stored.has(id))).toEqual([]);
  });
});
