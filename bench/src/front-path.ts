// The page's own path: the browser's requests reach the API through httpd (front/httpd.conf
// proxies /api/). This phase puts apache2, running that config natively, in front of the table's
// API and measures the same requests through it and straight to the API, in short runs that
// alternate between the two round after round (which one goes first alternates too), so each
// round's ratio compares runs seconds apart on the same machine and the same table. Both paths ask
// for /api/... so that the hop is the only difference.

import { startHttpd, treeUsage } from './httpd.ts';
import { runLoad } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { FrontPathResult, FrontRound, FrontRun, FrontScenarioResult } from './results.ts';
import { alternatingRounds } from './rounds.ts';
import type { Log } from './run-benchmark.ts';
import type { RequestSpec } from './scenarios.ts';
import { median } from './statistics.ts';

/** Alternations per scenario (an odd count, so the median is one round's own figure). */
export const FRONT_ROUNDS = 3;
/** With --smoke, one round: the tool is checked, not the figure. */
const SMOKE_FRONT_ROUNDS = 1;
/** Each run's longest length: what the rounds buy is nearness in time. */
const FRONT_RUN_MAX_SECONDS = 5;
const MICROSECONDS_PER_SECOND = 1_000_000;
/** What the page asks for (script.js) and what Chromium accepts. */
const PAGE_LIMIT = 50;
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

export type FrontScenarioId = 'first-page' | 'by-id' | 'page-gzip';

interface FrontScenario {
  id: FrontScenarioId;
  description: string;
  request: RequestSpec;
}

export function frontScenarios(maxId: number): FrontScenario[] {
  return [
    {
      id: 'first-page',
      description: 'GET /api/items',
      request: { method: 'GET', path: '/api/items' },
    },
    {
      id: 'by-id',
      description: 'GET /api/items/:id (random id)',
      request: { method: 'GET', path: '/api/items/1', randomIdUpTo: maxId },
    },
    {
      id: 'page-gzip',
      description: `GET /api/items?limit=${PAGE_LIMIT} with a browser's Accept-Encoding (the page's request)`,
      request: {
        method: 'GET',
        path: `/api/items?limit=${PAGE_LIMIT}`,
        headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING },
      },
    },
  ];
}

interface Path {
  target: FrontRun['target'];
  url: string;
}

/** One measured run, with the CPU httpd and the API spent on it and httpd's memory after it. */
async function measureRun(
  path: Path,
  scenario: FrontScenario,
  seconds: number,
  pids: { api: number | undefined; httpd: number | undefined },
  connections: number,
): Promise<FrontRun> {
  const [apiBefore, httpdBefore] = await Promise.all([treeUsage(pids.api), treeUsage(pids.httpd)]);
  const result = await runLoad({
    baseUrl: path.url,
    connections,
    durationSeconds: seconds,
    requests: [scenario.request],
  });
  const [apiAfter, httpdAfter] = await Promise.all([treeUsage(pids.api), treeUsage(pids.httpd)]);
  const perRequestUs = (before?: { cpuSeconds: number }, after?: { cpuSeconds: number }) =>
    before && after && result.totalRequests > 0
      ? ((after.cpuSeconds - before.cpuSeconds) * MICROSECONDS_PER_SECOND) / result.totalRequests
      : null;
  const httpdCpuUs = perRequestUs(httpdBefore, httpdAfter);
  return {
    target: path.target,
    ...result,
    apiCpuUsPerRequest: perRequestUs(apiBefore, apiAfter),
    httpdCpuUsPerRequest: path.target === 'front' ? httpdCpuUs : null,
    httpdCpuCores:
      path.target === 'front' && httpdBefore && httpdAfter
        ? (httpdAfter.cpuSeconds - httpdBefore.cpuSeconds) / result.durationSeconds
        : null,
    httpdRssMiB: httpdAfter?.rssMiB ?? null,
    httpdProcesses: httpdAfter?.processes ?? null,
  };
}

const medianOf = (runs: FrontRun[], pick: (run: FrontRun) => number | null) => {
  const values = runs.map(pick).filter((value): value is number => value !== null);
  return values.length === 0 ? null : median(values);
};

/** One round's runs, direct then front (the order of the paths handed to alternatingRounds). */
const asPair = ([direct, front]: FrontRun[]): FrontRound => ({
  direct: direct as FrontRun,
  front: front as FrontRun,
});

/** Per-round ratios front/direct and medians of each side's figures. */
export function summariseFrontRounds(
  scenario: FrontScenario,
  rounds: FrontRound[],
): FrontScenarioResult {
  const directs = rounds.map((round) => round.direct);
  const fronts = rounds.map((round) => round.front);
  // A p99 under 1 ms reads as 0 (autocannon counts whole milliseconds): it divides as 1 ms.
  return {
    scenario: scenario.id,
    description: scenario.description,
    ratio: median(
      rounds.map((round) => round.front.requestsPerSecond / round.direct.requestsPerSecond),
    ),
    p99Ratio: median(rounds.map((round) => round.front.p99Ms / Math.max(round.direct.p99Ms, 1))),
    direct: {
      requestsPerSecond: median(directs.map((run) => run.requestsPerSecond)),
      p50Ms: median(directs.map((run) => run.p50Ms)),
      p99Ms: median(directs.map((run) => run.p99Ms)),
      apiCpuUsPerRequest: medianOf(directs, (run) => run.apiCpuUsPerRequest),
    },
    front: {
      requestsPerSecond: median(fronts.map((run) => run.requestsPerSecond)),
      p50Ms: median(fronts.map((run) => run.p50Ms)),
      p99Ms: median(fronts.map((run) => run.p99Ms)),
      apiCpuUsPerRequest: medianOf(fronts, (run) => run.apiCpuUsPerRequest),
    },
    httpdCpuUsPerRequest: medianOf(fronts, (run) => run.httpdCpuUsPerRequest),
    httpdCpuCores: medianOf(fronts, (run) => run.httpdCpuCores),
    httpdRssMiB: Math.max(...fronts.map((run) => run.httpdRssMiB ?? 0)),
    errors: [...directs, ...fronts].reduce((sum, run) => sum + run.errors, 0),
    non2xx: [...directs, ...fronts].reduce((sum, run) => sum + run.non2xx, 0),
    rounds,
  };
}

export interface FrontTable {
  rows: number;
  maxId: number;
  apiUrl: string;
  apiPid: number | undefined;
}

/** Every front scenario on `table`, through apache2 and direct, alternating; httpd stopped after. */
export async function measureFrontPath(
  table: FrontTable,
  options: BenchOptions,
  log: Log,
  config?: string,
): Promise<FrontPathResult> {
  log(`\nfront path at ${table.rows.toLocaleString('en')} rows: apache2 with front/httpd.conf`);
  const httpd = await startHttpd(table.apiUrl, config);
  const seconds = Math.min(FRONT_RUN_MAX_SECONDS, options.durationSeconds);
  const roundCount = options.smoke ? SMOKE_FRONT_ROUNDS : FRONT_ROUNDS;
  const pids = { api: table.apiPid, httpd: httpd.pid };
  const direct: Path = { target: 'direct', url: table.apiUrl };
  const front: Path = { target: 'front', url: httpd.url };
  try {
    const scenarios: FrontScenarioResult[] = [];
    for (const scenario of frontScenarios(table.maxId)) {
      if (options.warmupSeconds > 0) {
        for (const path of [direct, front])
          await measureRun(path, scenario, options.warmupSeconds, pids, options.connections);
      }
      const logRound = (pair: FrontRound, round: number) =>
        log(
          `  ${scenario.id.padEnd(10)} round ${round + 1}/${roundCount}: ` +
            `direct ${pair.direct.requestsPerSecond.toFixed(0)} req/s p99 ${pair.direct.p99Ms} ms, ` +
            `front ${pair.front.requestsPerSecond.toFixed(0)} req/s p99 ${pair.front.p99Ms} ms ` +
            `(${(pair.front.requestsPerSecond / pair.direct.requestsPerSecond).toFixed(2)}x), ` +
            `httpd ${pair.front.httpdCpuUsPerRequest?.toFixed(0)} µs CPU/request`,
        );
      const runs = await alternatingRounds(
        roundCount,
        [direct, front],
        (path) => measureRun(path, scenario, seconds, pids, options.connections),
        (results, round) => logRound(asPair(results), round),
      );
      const rounds = runs.map(asPair);
      scenarios.push(summariseFrontRounds(scenario, rounds));
    }
    return {
      rows: table.rows,
      httpd: httpd.version,
      rounds: roundCount,
      runSeconds: seconds,
      scenarios,
    };
  } finally {
    await httpd.stop();
  }
}

/**
 * The table the front path runs on: the smallest, where the API's own work is least and the
 * hop's cost shows most (3 rows: what the Compose stack's page first sees).
 */
export function frontPathRows(rowCounts: number[]): number | undefined {
  return rowCounts.length === 0 ? undefined : Math.min(...rowCounts);
}
