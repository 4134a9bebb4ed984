// The repository's httpd.conf running in Debian's apache2 as a non-root user, in front of the
// real API: what every answer carries, what is served, how /api/ is proxied, what is logged.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTree } from './support/processes-of.ts';
import { type FrontStack, startFrontStack } from './support/stack.ts';

/** The policy the page is written for: its own files only, nothing inline, never framed. */
const EXPECTED_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const EXPECTED_HEADERS = {
  'content-security-policy': EXPECTED_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  // "Prod": the product name and nothing about its version or the operating system.
  server: 'Apache',
};
/** httpd gives up connecting to a stopped API after 2 s (connectiontimeout); a refusal is instant. */
const API_DOWN_ANSWER_BUDGET_MS = 3_000;
const PAGE_FILES = ['/', '/index.html', '/script.js', '/style.css'];

let stack: FrontStack;

beforeAll(async () => {
  stack = await startFrontStack();
});

afterAll(async () => {
  await stack?.close();
});

function get(path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${stack.url}${path}`, { redirect: 'manual', ...init });
}

function pickHeaders(response: Response, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, response.headers.get(name)]));
}

describe('httpd with front/httpd.conf', () => {
  it('runs every Apache process as the non-root user www-data', async () => {
    const pid = stack.apache.process.pid;
    expect(pid).toBeDefined();
    const processes = await processTree(pid as number);
    // The main process and at least one child serving requests.
    expect(processes.length).toBeGreaterThanOrEqual(2);
    const { uid, gid } = stack.apache.account;
    expect(uid).not.toBe(0);
    for (const info of processes) {
      expect(info, `process ${info.pid}`).toMatchObject({
        name: 'apache2',
        uids: [uid, uid, uid, uid],
        gids: [gid, gid, gid, gid],
      });
    }
  });

  it('sends the Content-Security-Policy and the other security headers with the page', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(pickHeaders(response, Object.keys(EXPECTED_HEADERS))).toEqual(EXPECTED_HEADERS);
    expect(response.headers.get('permissions-policy')).toContain('camera=()');
  });

  it('sends them once, and the same, on errors and on answers proxied from the API', async () => {
    for (const path of ['/no-such-file', '/api/status', '/api/items/999999']) {
      const response = await get(path);
      expect(pickHeaders(response, Object.keys(EXPECTED_HEADERS)), path).toEqual(EXPECTED_HEADERS);
    }
  });

  it('serves the page and its two files with their types', async () => {
    const types: Record<string, string | null> = {};
    for (const path of PAGE_FILES) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      types[path] = response.headers.get('content-type');
    }
    expect(types['/']).toBe('text/html; charset=utf-8');
    expect(types['/script.js']).toMatch(/^(text|application)\/javascript\b/);
    expect(types['/style.css']).toMatch(/^text\/css\b/);
  });

  it('serves nothing else from its folder: no listings, no config, no tests', async () => {
    for (const path of [
      '/test/',
      '/test/page.test.ts',
      '/httpd.conf',
      '/Dockerfile',
      '/package.json',
      '/.dockerignore',
    ]) {
      const response = await get(path);
      const body = await response.text();
      expect(response.status, path).toBe(403);
      expect(body, path).not.toContain('Index of');
    }
  });

  it('turns TRACE off', async () => {
    // fetch() refuses to send TRACE, so this one goes through node:http.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(`${stack.url}/`, { method: 'TRACE' }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.once('error', reject);
      request.end();
    });
    expect(status).toBe(405);
  });

  it('compresses the page, the script and the style sheet with gzip', async () => {
    for (const path of PAGE_FILES) {
      const response = await get(path, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(response.headers.get('content-encoding'), path).toBe('gzip');
      expect(response.headers.get('vary'), path).toContain('Accept-Encoding');
    }
  });

  it('makes browsers revalidate every file, so a new release shows at once, at the cost of a 304', async () => {
    for (const path of PAGE_FILES) {
      const first = await get(path, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(first.headers.get('cache-control'), path).toBe('no-cache');
      const lastModified = first.headers.get('last-modified');
      expect(lastModified, path).toBeTruthy();
      const again = await get(path, {
        headers: { 'Accept-Encoding': 'gzip', 'If-Modified-Since': lastModified as string },
      });
      expect(again.status, path).toBe(304);
    }
  });

  it('proxies /api/ to the API with the /api prefix kept, Location included', async () => {
    const list = await get('/api/items');
    expect(list.status).toBe(200);
    expect(((await list.json()) as Array<{ name: string }>).map((item) => item.name)).toEqual([
      'Test A',
      'Test B',
      'Test C',
    ]);

    const created = await get('/api/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'through the proxy' }),
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(new URL(location, stack.url).pathname).toMatch(/^\/api\/items\/\d+$/);
    const fetched = await get(new URL(location, stack.url).pathname);
    expect(await fetched.json()).toMatchObject({ name: 'through the proxy' });
  });

  it('answers 503 at once while the API is stopped, and reaches it again the moment it is back', async () => {
    await stack.api.stop();
    try {
      const startedAt = performance.now();
      const down = await get('/api/status');
      expect(down.status).toBe(503);
      expect(performance.now() - startedAt).toBeLessThan(API_DOWN_ANSWER_BUDGET_MS);
    } finally {
      await stack.api.start();
    }
    // No 60 s quarantine of the backend after the failure (retry=0): the first request gets through.
    const up = await get('/api/status');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'OK' });
  });

  it('writes one JSON object per request to stdout', async () => {
    const marker = randomUUID();
    await (
      await get(`/style.css?probe=${marker}`, { headers: { 'User-Agent': `probe "${marker}"` } })
    ).text();
    await (await get(`/api/status?probe=${marker}`)).text();

    const lines = stack.apache
      .readAccessLog()
      .split('\n')
      .filter((line) => line !== '');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const probes = entries.filter((entry) => entry.query === `?probe=${marker}`);
    expect(probes).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/style.css',
        status: 200,
        user_agent: `probe "${marker}"`,
        client: '127.0.0.1',
      }),
      expect.objectContaining({ method: 'GET', path: '/api/status', status: 200 }),
    ]);
    for (const entry of probes) {
      expect(typeof entry.duration_us).toBe('number');
      expect(Number.isNaN(Date.parse(String(entry.time)))).toBe(false);
    }
  });
});
