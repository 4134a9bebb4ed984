// Faults on a private database server the tests can break: killed, paused, restarted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../db/bootstrap.ts';
import { residentMemoryMiB } from '../../scripts/lib/proc.ts';
import { POOL_QUEUE_LIMIT } from '../src/db.ts';
import { type ApiProcess, logsFlushed, startApiProcess } from './support/api-process.ts';
import { PrivateMysqld } from './support/private-mysqld.ts';

const TIMEOUT_MS = 1000;
/** Scheduling slack on a loaded 2-core machine, on top of the configured timeout. */
const SLACK_MS = 750;

async function timed(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, ms: performance.now() - started, body };
}

async function waitUntilOk(api: ApiProcess, withinMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < withinMs) {
    if ((await fetch(`${api.baseUrl}/status`)).status === 200) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`/status was not OK within ${withinMs} ms`);
}

function poolGauge(metrics: string, state: string): number {
  const match = new RegExp(`^tristack_db_pool_connections\\{state="${state}"\\} (\\d+)`, 'm').exec(
    metrics,
  );
  return Number(match?.[1]);
}

const post = (name: string): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ name }),
});

describe('faults on the database server', { timeout: 60_000 }, () => {
  let mysqld: PrivateMysqld;
  let database: string;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    mysqld = await PrivateMysqld.start();
    database = (await createScratchDatabase(mysqld.address)).name;
  }, 60_000);
  afterAll(async () => {
    await mysqld?.destroy();
  });
  afterEach(async () => {
    mysqld.unpause();
    if (!mysqld.pid) await mysqld.resume();
    api?.child.kill('SIGKILL');
    api = undefined;
  });

  function startApi() {
    return startApiProcess({
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: String(mysqld.port),
      MYSQL_USER: 'root',
      MYSQL_PASSWORD: '',
      MYSQL_DATABASE: database,
      MYSQL_TIMEOUT_MS: String(TIMEOUT_MS),
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    });
  }

  it('killed: 503s within 2 s, no answer slower than the timeout, then OK within 5 s of its return', async () => {
    api = await startApi();
    expect((await timed(`${api.baseUrl}/status`)).status).toBe(200);

    await mysqld.kill();
    const status = await timed(`${api.baseUrl}/status`);
    const items = await timed(`${api.baseUrl}/api/items`);
    expect(status).toMatchObject({ status: 503, body: '{"status":"ERREUR"}' });
    expect(items.status).toBe(503);
    expect(JSON.parse(items.body)).toMatchObject({
      status: 503,
      type: 'urn:tristack:problem:database-unavailable',
    });
    expect(status.ms + items.ms).toBeLessThan(2000);
    expect(Math.max(status.ms, items.ms)).toBeLessThan(TIMEOUT_MS + SLACK_MS);

    await mysqld.resume();
    const recoveredMs = await waitUntilOk(api, 5000);
    console.info(
      `database killed: answered 503 in ${Math.round(status.ms)} ms; OK again ${Math.round(recoveredMs)} ms after restart`,
    );
    expect(api.child.exitCode).toBeNull();
  });

  it('paused: requests fail within the timeout, the wait queue stays bounded, then it recovers', async () => {
    api = await startApi();
    expect((await timed(`${api.baseUrl}/items`)).status).toBe(200);
    const rssBefore = Number(await residentMemoryMiB(api.process.pid));

    await mysqld.pause();
    // More requests than the pool (10) and its queue (200) hold, fewer than the listen backlog
    // (511), so every connection is accepted at once and the answers time the server alone.
    const burst = 300;
    const answers = await Promise.all(
      Array.from({ length: burst }, () =>
        timed(`${api?.baseUrl}/items`, { signal: AbortSignal.timeout(10_000) }),
      ),
    );
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([503]));
    // Timed by the server itself: on 2 shared cores the test's own client adds seconds of
    // connection set-up to 400 simultaneous requests, which says nothing about the API.
    await logsFlushed();
    const serverTimes = api.stdout
      .map((line) => JSON.parse(line))
      .filter((line) => line.res?.statusCode === 503)
      .map((line) => line.responseTime as number);
    expect(serverTimes).toHaveLength(burst);
    const slowest = Math.max(...serverTimes);
    const median = [...serverTimes].sort((a, b) => a - b)[
      Math.floor(serverTimes.length / 2)
    ] as number;
    // The deadline holds for each request; answering 210 of them at the same instant takes CPU
    // that, on 2 shared cores, can add a few hundred ms to the last ones. Twice the timeout
    // still catches any request that waited on the database (queue, connect, query) in turn.
    expect(median).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(slowest).toBeLessThan(2 * TIMEOUT_MS);
    const turnedAway = serverTimes.filter((ms) => ms < TIMEOUT_MS / 2).length;
    expect(turnedAway).toBeGreaterThan(0);

    const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text();
    expect(poolGauge(metrics, 'queued')).toBeLessThanOrEqual(POOL_QUEUE_LIMIT);
    const rssAfter = Number(await residentMemoryMiB(api.process.pid));
    console.info(
      `database paused: ${burst} requests, all 503, median ${Math.round(median)} ms, slowest ${Math.round(slowest)} ms, ${turnedAway} turned away at once (queue full); RSS ${rssBefore.toFixed(1)} → ${rssAfter.toFixed(1)} MB`,
    );
    expect(rssAfter - rssBefore).toBeLessThan(64);

    mysqld.unpause();
    await waitUntilOk(api, 5000);
    expect((await timed(`${api.baseUrl}/items`)).status).toBe(200);
  });

  it('loses no acknowledged write across an API restart and a kill -9 of the database', async () => {
    api = await startApi();
    const acknowledged: number[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          fetch(`${api?.baseUrl}/items`, post(`durable ${batch}-${index}`)),
        ),
      );
      for (const res of answers) if (res.status === 201) acknowledged.push((await res.json()).id);
    }
    expect(acknowledged).toHaveLength(200);

    async function storedIds(): Promise<Set<number>> {
      const ids = new Set<number>();
      let next: string | null = '/items?limit=1000';
      while (next) {
        const res: Response = await fetch(`${api?.baseUrl}${next}`);
        for (const item of (await res.json()) as { id: number }[]) ids.add(item.id);
        next = /<([^>]+)>/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
      }
      return ids;
    }

    expect(await api.stop('SIGTERM')).toBe(0);
    api = await startApi();
    let stored = await storedIds();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);

    await mysqld.kill();
    await mysqld.resume();
    await waitUntilOk(api, 5000);
    stored = await storedIds();
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });
});
