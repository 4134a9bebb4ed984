// What metrics and logging cost the API on GET /items, measured in one run:
//   - logging: /items throughput with LOG_LEVEL=info against LOG_LEVEL=silent (real processes,
//     autocannon load from its own process via bench/, logs written to a file as a log driver would);
//   - metrics: they cannot be switched off by configuration, so their cost is timed directly: the
//     per-request middleware work (in-flight gauge, histogram observe, route template), one
//     observation per database call, and one /metrics rendering (registry.metrics()).
// Run from the repository root: node --import tsx monitoring/scripts/overhead.ts [seconds]
// Needs MariaDB/MySQL on 127.0.0.1:3306 (root, no password) or MYSQL_* set, like the tests.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import { createMetrics } from '../../api/src/metrics.ts';
import { startApiProcess } from '../../api/test/support/api-process.ts';
import { runLoad } from '../../bench/src/load.ts';
import { median } from '../../bench/src/statistics.ts';
import { createScratchDatabase, mysqlEnv } from '../../db/bootstrap.ts';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { ROUTE_TEMPLATES } from '../src/series-check.ts';

const DEFAULT_SECONDS = 10;
const WARM_UP_SECONDS = 3;
const CONNECTIONS = 10;
// Alternating rounds, so that a drift of the machine (another process, thermal) hits both.
const ROUNDS = 4;
const LOG_LEVELS = ['info', 'silent'] as const;
const READY_TIMEOUT_MS = 15_000;
const MICRO_ITERATIONS = 200_000;
const RENDER_ITERATIONS = 2_000;
const NS_PER_MS = 1e6;
const US_PER_MS = 1e3;
const DATABASE_OPERATIONS = [
  'items.list',
  'items.find',
  'items.create',
  'items.rename',
  'items.remove',
  'ping',
];

type LogLevel = (typeof LOG_LEVELS)[number];

async function startApi(database: string, logLevel: LogLevel, logFile: string) {
  // Its log lines go to a file, as a container runtime's log driver takes them.
  const logFd = openSync(logFile, 'a');
  try {
    const api = await startApiProcess(
      {
        ...mysqlEnv(databaseServerFromEnv(), database),
        RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: logLevel,
      },
      { stdout: logFd },
    );
    await api.process.waitForHttp(`${api.baseUrl}/status`, READY_TIMEOUT_MS);
    return api;
  } finally {
    closeSync(logFd);
  }
}

async function itemsThroughput(baseUrl: string, seconds: number): Promise<number> {
  const request = { method: 'GET' as const, path: '/items' };
  await runLoad({
    baseUrl,
    connections: CONNECTIONS,
    durationSeconds: WARM_UP_SECONDS,
    requests: [request],
  });
  const result = await runLoad({
    baseUrl,
    connections: CONNECTIONS,
    durationSeconds: seconds,
    requests: [request],
  });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(
      `load on ${baseUrl}/items had ${result.errors} errors, ${result.non2xx} non-2xx`,
    );
  }
  return result.requestsPerSecond;
}

function microseconds(iterations: number, work: () => void): number {
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index += 1) work();
  return (Number(process.hrtime.bigint() - started) / NS_PER_MS / iterations) * US_PER_MS;
}

/** A request as the metrics see it once answered: its method, matched route and status. */
function answered(method: string, route: string, statusCode: number): [Request, Response] {
  return [{ method, route: { path: route } } as unknown as Request, { statusCode } as Response];
}

/** The metrics work one request costs (in-flight gauge, route template, histogram observe). */
function timeRequestMetrics(): { perRequestUs: number; perQueryUs: number } {
  const metrics = createMetrics();
  metrics.connect({ poolStats: () => ({ inUse: 1, idle: 9, queued: 0 }), isReady: () => true });
  const [req, res] = answered('GET', '/items', 200);
  const perRequestUs = microseconds(MICRO_ITERATIONS, () => {
    metrics.requestStarted();
    metrics.requestFinished(req, res, 0.002);
  });
  const perQueryUs = microseconds(MICRO_ITERATIONS, () => {
    metrics.observeQuery('items.list', 0.001, 'ok');
  });
  return { perRequestUs, perQueryUs };
}

async function timeRender(): Promise<number> {
  const metrics = createMetrics();
  metrics.connect({ poolStats: () => ({ inUse: 1, idle: 9, queued: 0 }), isReady: () => true });
  // A realistic registry: every route template with a few statuses, every database operation.
  for (const route of ROUTE_TEMPLATES) {
    for (const status of [200, 201, 204, 400, 404, 500]) {
      metrics.requestStarted();
      metrics.requestFinished(...answered('GET', route, status), 0.002);
    }
  }
  for (const operation of DATABASE_OPERATIONS) {
    metrics.observeQuery(operation, 0.001, 'ok');
    metrics.observeQuery(operation, 0.001, 'error');
  }
  await metrics.registry.metrics();
  const started = process.hrtime.bigint();
  for (let index = 0; index < RENDER_ITERATIONS; index += 1) await metrics.registry.metrics();
  return (Number(process.hrtime.bigint() - started) / NS_PER_MS / RENDER_ITERATIONS) * US_PER_MS;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? DEFAULT_SECONDS);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    console.error(
      `overhead: the duration must be a positive number of seconds; got ${process.argv[2]}`,
    );
    process.exit(2);
  }
  const scratch = await createScratchDatabase(databaseServerFromEnv(), 'tristack_overhead');
  const logFolder = mkdtempSync(join(tmpdir(), 'tristack-overhead-'));
  const throughput: Record<LogLevel, number[]> = { info: [], silent: [] };
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const level of round % 2 === 0 ? LOG_LEVELS : [...LOG_LEVELS].reverse()) {
        const api = await startApi(scratch.name, level, join(logFolder, `${level}.log`));
        try {
          throughput[level].push(await itemsThroughput(api.baseUrl, seconds));
        } finally {
          await api.stop();
        }
      }
    }
  } finally {
    rmSync(logFolder, { recursive: true, force: true });
    await scratch.drop();
  }
  // The median: one run disturbed by another process on the machine does not move it.
  const withLogs = median(throughput.info);
  const withoutLogs = median(throughput.silent);
  const micro = timeRequestMetrics();
  const renderUs = await timeRender();
  const perRequestBudgetUs = 1e6 / withoutLogs;
  const report = {
    items: {
      connections: CONNECTIONS,
      seconds,
      rounds: ROUNDS,
      requestsPerSecondLogInfo: Math.round(withLogs),
      requestsPerSecondLogSilent: Math.round(withoutLogs),
      loggingCostPercent: Number((((withoutLogs - withLogs) / withoutLogs) * 100).toFixed(1)),
      runs: {
        info: throughput.info.map(Math.round),
        silent: throughput.silent.map(Math.round),
      },
      // Each round's two runs were back to back: their ratio is the least disturbed by drift.
      loggingCostPercentByRound: throughput.info.map((info, round) =>
        Number(
          (
            (((throughput.silent[round] ?? info) - info) / (throughput.silent[round] ?? info)) *
            100
          ).toFixed(1),
        ),
      ),
    },
    metrics: {
      perRequestMicroseconds: Number(micro.perRequestUs.toFixed(2)),
      perDatabaseCallMicroseconds: Number(micro.perQueryUs.toFixed(2)),
      scrapeRenderMicroseconds: Number(renderUs.toFixed(0)),
      // One request and one list query per GET /items, against the time one request takes at
      // the measured throughput (both cores of this machine share that time).
      shareOfItemsRequestPercent: Number(
        (((micro.perRequestUs + micro.perQueryUs) / perRequestBudgetUs) * 100).toFixed(2),
      ),
    },
  };
  console.log(JSON.stringify(report, null, 2));
}

await main();
