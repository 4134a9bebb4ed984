// The API as a process: resilience to the database going away, graceful shutdown, bad config.
import { createConnection } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import {
  type ApiProcess,
  logsFlushed,
  spawnApiProcess,
  startApiProcess,
} from './support/api-process.ts';
import { testEnv } from './support/app.ts';
import { useScratchDatabase } from './support/database.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const TIMEOUT_MS = 1000;

async function status(api: ApiProcess): Promise<number> {
  return (await fetch(`${api.baseUrl}/status`)).status;
}

/** A brand-new TCP connection (fetch would reuse a pooled keep-alive one). */
function connect(url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function waitForStatus(api: ApiProcess, expected: number, withinMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < withinMs) {
    if ((await status(api)) === expected) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/status did not become ${expected} within ${withinMs} ms`);
}

describe('the API process and its database', () => {
  const database = useScratchDatabase();
  let proxy: TcpProxy;
  let api: ApiProcess | undefined;
  beforeAll(async () => {
    const { host, port } = databaseServerFromEnv();
    proxy = await TcpProxy.create({ host, port });
  });
  afterEach(async () => {
    api?.child.kill('SIGKILL');
    api = undefined;
    proxy.delayMs = 0;
    await proxy.stop();
  });

  function env(overrides: Record<string, string> = {}) {
    return testEnv(database.name, {
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: String(proxy.port),
      MYSQL_TIMEOUT_MS: String(TIMEOUT_MS),
      LOG_LEVEL: 'info',
      ...overrides,
    });
  }

  it('starts with the database down, answers 503, and recovers by itself when it comes up', async () => {
    api = await startApiProcess(env());
    expect(await status(api)).toBe(503);
    const items = await fetch(`${api.baseUrl}/api/items`);
    expect(items.status).toBe(503);
    expect(items.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    await proxy.start();
    const recoveredInMs = await waitForStatus(api, 200, 5000);
    expect(recoveredInMs).toBeLessThan(5000);
    expect(await (await fetch(`${api.baseUrl}/items`)).json()).toHaveLength(3);
    expect(api.child.exitCode).toBeNull();
    await logsFlushed();
    expect(api.stdout.some((line) => line.includes('"database.recovered"'))).toBe(true);
  });

  it('answers 503 within the timeout when the database dies, then recovers without a restart', async () => {
    await proxy.start();
    api = await startApiProcess(env());
    expect(await status(api)).toBe(200);

    await proxy.stop();
    const started = performance.now();
    expect(await status(api)).toBe(503);
    expect((await fetch(`${api.baseUrl}/items/1`)).status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2 * TIMEOUT_MS + 500);

    await proxy.start();
    expect(await waitForStatus(api, 200, 5000)).toBeLessThan(5000);
    expect(api.child.exitCode).toBeNull();
  });

  it('with SHUTDOWN_DELAY_MS=0, on SIGTERM finishes in-flight requests, refuses new connections at once, exits 0', async () => {
    await proxy.start();
    api = await startApiProcess(env({ SHUTDOWN_DELAY_MS: '0' }));
    // Open a few pooled connections first, then slow the database so requests are in flight.
    await Promise.all(Array.from({ length: 4 }, () => fetch(`${api?.baseUrl}/items`)));
    proxy.delayMs = 400;
    const inFlight = Array.from({ length: 4 }, () => fetch(`${api?.baseUrl}/items`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = performance.now();
    const exitCode = api.stop('SIGTERM');

    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    await expect(connect(new URL(api.baseUrl))).rejects.toThrow(/ECONNREFUSED/);
    expect(await exitCode).toBe(0);
    expect(performance.now() - stopped).toBeLessThan(5000);
    const events = api.stdout.map((line) => JSON.parse(line).event).filter(Boolean);
    expect(events).toEqual(expect.arrayContaining(['api.stopping', 'api.draining', 'api.stopped']));
  });

  it('exits 0 on SIGINT too', async () => {
    api = await startApiProcess(env());
    expect(await api.stop('SIGINT')).toBe(0);
  });
});

describe('the API process with bad configuration', () => {
  it('exits 2 at once with a message naming the bad variable', async () => {
    const started = spawnApiProcess({ API_PORT: 'eighty', MYSQL_TIMEOUT_MS: '5' });
    expect(await started.exited).toBe(2);
    const message = started.stderr.join('\n');
    expect(message).toContain('API_PORT: must be a port number');
    expect(message).toContain('MYSQL_TIMEOUT_MS: must be at least 100 ms');
    expect(message).not.toContain('    at ');
  });
});
