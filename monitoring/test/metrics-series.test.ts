// After real traffic, /metrics holds the series docs/monitoring.md lists, with exact counts, labelled by
// route template, and stays bounded however many distinct URLs clients send.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Exposition, parseExposition, samplesOf } from '../src/exposition.ts';
import { REQUEST_SERIES, routeLabelProblems } from '../src/series-check.ts';
import { fetchMetrics, useRunningApi } from './support/api.ts';
import { BURST, missingItemRequestId, sendBurst } from './support/traffic.ts';

const REQUEST_COUNT = REQUEST_SERIES;
const RANDOM_URLS = 1_000;
const CONCURRENT_REQUESTS = 20;
// Method x route x status combinations random URLs can add: GET, POST and DELETE on unmatched
// paths, and GET /items/:id with a malformed id (400). Anything above means raw URLs leak in.
const MAX_NEW_SERIES_FROM_RANDOM_URLS = 4;

const api = useRunningApi();
let afterBurst: Exposition;

beforeAll(async () => {
  await sendBurst(api.baseUrl);
  afterBurst = parseExposition(await fetchMetrics(api.baseUrl));
});

function requestCount(exposition: Exposition, labels: Record<string, string>): number {
  return samplesOf(exposition, REQUEST_COUNT, labels).reduce(
    (sum, sample) => sum + sample.value,
    0,
  );
}

function seriesCount(exposition: Exposition): number {
  return samplesOf(exposition, REQUEST_COUNT).length;
}

/** A URL no client has sent before: unknown paths, unknown and malformed ids, query strings. */
function randomUrl(index: number): { path: string; method: string } {
  const id = randomUUID();
  const shapes = [
    { path: `/${id}`, method: 'GET' },
    { path: `/api/${id}/${index}?q=${id}`, method: 'GET' },
    { path: `/items/${1_000_000 + index}`, method: 'GET' },
    { path: `/items/${id}`, method: 'GET' },
    { path: `/nothing/${id}`, method: 'POST' },
    { path: `/api/items/${id}/deeper`, method: 'DELETE' },
  ];
  return shapes[index % shapes.length] ?? { path: `/${id}`, method: 'GET' };
}

async function sendRandomUrls(count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const { path, method } = randomUrl(next);
      next += 1;
      const response = await fetch(`${api.baseUrl}${path}`, { method });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, worker));
}

describe('/metrics after a burst of real traffic', () => {
  it('counts exactly the 404s of GET /items/:id, with and without /api, under one route template', () => {
    expect(
      requestCount(afterBurst, { method: 'GET', route: '/items/:id', status_code: '404' }),
    ).toBe(BURST.missingItemReads);
  });

  it('counts the 400 of an empty name and the 201s of good names under POST /items', () => {
    expect(requestCount(afterBurst, { method: 'POST', route: '/items', status_code: '400' })).toBe(
      BURST.badCreates,
    );
    expect(requestCount(afterBurst, { method: 'POST', route: '/items', status_code: '201' })).toBe(
      BURST.creates,
    );
  });

  it('counts paths no route serves as route "unmatched"', () => {
    expect(
      requestCount(afterBurst, { method: 'GET', route: 'unmatched', status_code: '404' }),
    ).toBe(BURST.unknownPaths);
  });

  it('labels requests with route templates only, never a raw path or id', () => {
    expect(routeLabelProblems(afterBurst)).toEqual([]);
    expect(samplesOf(afterBurst, REQUEST_COUNT).some((s) => /\d/.test(s.labels.route ?? ''))).toBe(
      false,
    );
  });

  it('times each database call by operation: one list per GET /items, one insert per create', () => {
    const calls = (operation: string) =>
      samplesOf(afterBurst, 'tristack_db_query_duration_seconds_count', {
        operation,
        outcome: 'ok',
      })[0]?.value;
    expect(calls('items.list')).toBe(BURST.listReads);
    expect(calls('items.create')).toBe(BURST.creates);
    // Each missing-item read and each create reads one row back.
    expect(calls('items.find')).toBe(BURST.missingItemReads + BURST.creates);
  });

  it('declares database errors, though none happened yet', () => {
    expect(afterBurst.types.get('tristack_db_query_errors_total')).toBe('counter');
    expect(samplesOf(afterBurst, 'tristack_db_query_errors_total')).toEqual([]);
  });

  it('reports the pool by state, readiness, and the scrape itself as the one request in flight', () => {
    const states = samplesOf(afterBurst, 'tristack_db_pool_connections').map((s) => s.labels.state);
    expect(states.sort()).toEqual(['idle', 'in_use', 'queued']);
    expect(samplesOf(afterBurst, 'tristack_ready')[0]?.value).toBe(1);
    expect(samplesOf(afterBurst, 'http_requests_in_flight')[0]?.value).toBe(1);
  });

  it('includes the process metrics: CPU, memory, event-loop lag and GC', () => {
    for (const family of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds',
    ]) {
      expect(afterBurst.types.has(family), family).toBe(true);
    }
    expect(samplesOf(afterBurst, 'process_resident_memory_bytes')[0]?.value).toBeGreaterThan(0);
  });

  it(`keeps the request series bounded after ${RANDOM_URLS} distinct random URLs`, async () => {
    const before = parseExposition(await fetchMetrics(api.baseUrl));
    await sendRandomUrls(RANDOM_URLS);
    const after = parseExposition(await fetchMetrics(api.baseUrl));
    const added = seriesCount(after) - seriesCount(before);
    expect(added).toBeLessThanOrEqual(MAX_NEW_SERIES_FROM_RANDOM_URLS);
    expect(routeLabelProblems(after)).toEqual([]);
    // Every one of those requests was counted, just not as a series of its own.
    const total = (exposition: Exposition) => requestCount(exposition, {});
    expect(total(after) - total(before)).toBeGreaterThanOrEqual(RANDOM_URLS);
  });
});

describe('the log lines Loki receives', () => {
  // Log writes are batched and asynchronous: give them a moment to reach stdout.
  const LOG_FLUSH_WAIT_MS = 2_000;

  async function missingItemLines() {
    const ids = Array.from({ length: BURST.missingItemReads }, (_, index) =>
      missingItemRequestId(index),
    );
    const deadline = Date.now() + LOG_FLUSH_WAIT_MS;
    let lines: Record<string, unknown>[] = [];
    while (Date.now() < deadline) {
      lines = api.logLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => ids.includes(String(entry.reqId)));
      if (lines.length >= ids.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return lines;
  }

  it('are JSON with the level Alloy turns into a label', () => {
    expect(api.logLines.length).toBeGreaterThan(0);
    for (const line of api.logLines) {
      expect(JSON.parse(line)).toMatchObject({ level: expect.stringMatching(/^[a-z]+$/) });
    }
  });

  it("hold one line per request with the client's X-Request-Id, route template and status", async () => {
    const lines = await missingItemLines();
    expect(lines).toHaveLength(BURST.missingItemReads);
    for (const line of lines) {
      expect(line).toMatchObject({
        route: '/items/:id',
        res: { statusCode: 404 },
        responseTime: expect.any(Number),
      });
    }
  });
});

describe('the route label check', () => {
  it('rejects an answer whose route label carries the raw path', () => {
    const leaky = parseExposition(
      [
        '# TYPE http_request_duration_seconds histogram',
        'http_request_duration_seconds_count{method="GET",route="/items/:id",status_code="200"} 3',
        'http_request_duration_seconds_count{method="GET",route="/items/42",status_code="200"} 1',
        'http_request_duration_seconds_count{method="GET",route="/x/\\"odd\\"",status_code="404"} 1',
      ].join('\n'),
    );
    expect(routeLabelProblems(leaky)).toEqual([
      'route label "/items/42" is not a route template',
      'route label "/x/"odd"" is not a route template',
    ]);
  });
});
