// One benchmark: for each table size, seed a database, start both servers, warm up and measure
// each scenario, and collect everything into a BenchResult. Cleans up after itself in all cases.
import { cpus, loadavg } from 'node:os';
import { POOL_CONNECTION_LIMIT } from '../../api/src/db.ts';
import type { ScratchDatabase, ServerAddress } from '../../db/bootstrap.ts';
import { assertServerReachable, createSeededDatabase, type SeededDatabase } from './database.ts';
import { findMaxId } from './discover.ts';
import { frontPathRows, measureFrontPath } from './front-path.ts';
import { runLoad } from './load.ts';
import type { BenchOptions } from './options.ts';
import { measurePageScaling, type ServedTable } from './page-scaling.ts';
import { residentMemoryMiB, stopAllProcesses, stopProcess } from './processes.ts';
import type { BenchResult, LatencyGrowth, RunResult, SizeResult } from './results.ts';
import { apiRevision } from './revision.ts';
import { type Scenario, scenariosFor } from './scenarios.ts';
import {
  buildServers,
  REPO_ROOT,
  type RunningServer,
  startApi,
  startReference,
} from './servers.ts';
import { checkTargets, LARGE_TABLE_ROWS, SMALL_TABLE_ROWS } from './targets.ts';

export type Log = (line: string) => void;

const openDatabases = new Set<ScratchDatabase>();

/** Stops every child and drops every scratch database still there; safe to call twice. */
export async function cleanUp(): Promise<void> {
  await stopAllProcesses();
  const databases = [...openDatabases];
  openDatabases.clear();
  await Promise.allSettled(databases.map((database) => database.drop()));
}

interface Target {
  name: RunResult['target'];
  baseUrl: string;
  pid: number | undefined;
}

async function measure(
  scenario: Scenario,
  target: Target,
  options: BenchOptions,
  log: Log,
): Promise<RunResult> {
  const load = {
    baseUrl: target.baseUrl,
    connections: options.connections,
    requests: scenario.requests,
  };
  if (options.warmupSeconds > 0) await runLoad({ ...load, durationSeconds: options.warmupSeconds });
  const result = await runLoad({ ...load, durationSeconds: options.durationSeconds });
  const rss = await residentMemoryMiB(target.pid);
  log(
    `  ${scenario.id.padEnd(10)} ${target.name.padEnd(9)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s` +
      `  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  errors ${result.errors}  non-2xx ${result.non2xx}`,
  );
  return {
    scenario: scenario.id,
    description: scenario.description,
    target: target.name,
    ...result,
    rssMiB: rss ?? null,
  };
}

async function measureScenarios(
  scenarios: Scenario[],
  api: Target,
  reference: Target | undefined,
  options: BenchOptions,
  log: Log,
): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const scenario of scenarios) {
    // The pair runs back to back, so both see the same machine (and the same table).
    runs.push(await measure(scenario, api, options, log));
    if (reference && scenario.alsoOnReference)
      runs.push(await measure(scenario, reference, options, log));
  }
  return runs;
}

function throughputRatios(runs: RunResult[]): SizeResult['throughputRatios'] {
  const ratios: SizeResult['throughputRatios'] = {};
  for (const run of runs.filter((candidate) => candidate.target === 'reference')) {
    const ours = runs.find(
      (candidate) => candidate.target === 'tristack' && candidate.scenario === run.scenario,
    );
    if (ours && run.requestsPerSecond > 0)
      ratios[run.scenario] = ours.requestsPerSecond / run.requestsPerSecond;
  }
  return ratios;
}

const asTarget = (server: RunningServer): Target => ({
  name: server.name,
  baseUrl: server.baseUrl,
  pid: server.pid,
});

interface ServedDatabase {
  database: SeededDatabase;
  api: RunningServer;
  reference: RunningServer;
}

/** Seeds a table of `rows`, starts both servers on it, runs `use`, then stops and drops all. */
async function withServedTable<T>(
  server: ServerAddress,
  rows: number,
  log: Log,
  use: (served: ServedDatabase) => Promise<T>,
): Promise<T> {
  log(`\n${rows.toLocaleString('en')} rows: seeding...`);
  // Known to cleanUp() from its creation on: Ctrl-C during a long seed must drop it too.
  let scratch: ScratchDatabase | undefined;
  const database = await createSeededDatabase(server, rows, (created) => {
    scratch = created;
    openDatabases.add(created);
  });
  let api: RunningServer | undefined;
  let reference: RunningServer | undefined;
  try {
    log(`  seeded ${database.name} in ${database.seedSeconds.toFixed(2)} s`);
    api = await startApi(server, database.name);
    reference = await startReference(server, database.name, POOL_CONNECTION_LIMIT);
    log(
      `  API ready in ${api.startToReadyMs.toFixed(0)} ms, reference in ${reference.startToReadyMs.toFixed(0)} ms`,
    );
    return await use({ database, api, reference });
  } finally {
    await Promise.all(
      [api, reference].flatMap((running) => (running ? [stopProcess(running.process.child)] : [])),
    );
    if (scratch) openDatabases.delete(scratch);
    await database.drop();
  }
}

function benchmarkTableSize(
  server: ServerAddress,
  rows: number,
  options: BenchOptions,
  log: Log,
): Promise<SizeResult> {
  return withServedTable(server, rows, log, async ({ database, api, reference }) => {
    // Before the scenarios, whose writes grow the table.
    const frontPath =
      rows === frontPathRows(options.rowCounts)
        ? await measureFrontPath(
            { rows, maxId: database.maxId, apiUrl: api.baseUrl, apiPid: api.pid },
            options,
            log,
          )
        : null;
    const runs = await measureScenarios(
      scenariosFor(database.maxId),
      asTarget(api),
      asTarget(reference),
      options,
      log,
    );
    return {
      rows,
      database: database.name,
      maxId: database.maxId,
      seedSeconds: database.seedSeconds,
      apiStartToReadyMs: api.startToReadyMs,
      referenceStartToReadyMs: reference.startToReadyMs,
      runs,
      throughputRatios: throughputRatios(runs),
      frontPath,
    };
  });
}

const servedTable = ({ database, api, reference }: ServedDatabase): ServedTable => ({
  rows: database.rows,
  maxId: database.maxId,
  apiUrl: api.baseUrl,
  referenceUrl: reference.baseUrl,
});

/** The latency target's own phase: both table sizes at once, runs alternating between them. */
function benchmarkPageScaling(
  server: ServerAddress,
  options: BenchOptions,
  log: Log,
): Promise<LatencyGrowth[]> {
  log('\npage scaling: 1,000 and 1,000,000 rows served side by side, runs alternating');
  return withServedTable(server, SMALL_TABLE_ROWS, log, (small) =>
    withServedTable(server, LARGE_TABLE_ROWS, log, (large) =>
      measurePageScaling(servedTable(small), servedTable(large), options, log),
    ),
  );
}

async function benchmarkUrl(url: string, options: BenchOptions, log: Log): Promise<SizeResult> {
  const maxId = await findMaxId(url);
  log(`\n${url}: largest id ${maxId} (its own data, no reference server, no RSS)`);
  const runs = await measureScenarios(
    scenariosFor(maxId),
    { name: 'tristack', baseUrl: url, pid: undefined },
    undefined,
    options,
    log,
  );
  return {
    rows: null,
    database: null,
    maxId,
    seedSeconds: null,
    apiStartToReadyMs: null,
    referenceStartToReadyMs: null,
    runs,
    throughputRatios: {},
    frontPath: null,
  };
}

export async function runBenchmark(
  options: BenchOptions,
  server: ServerAddress,
  log: Log,
): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg();
  const sizes: SizeResult[] = [];
  let growth: LatencyGrowth[] = [];
  const api = options.url ? null : apiRevision(REPO_ROOT);
  if (options.url) {
    sizes.push(await benchmarkUrl(options.url, options, log));
  } else {
    await assertServerReachable(server);
    log('building the API and the reference server...');
    buildServers();
    for (const rows of options.rowCounts)
      sizes.push(await benchmarkTableSize(server, rows, options, log));
    if ([SMALL_TABLE_ROWS, LARGE_TABLE_ROWS].every((rows) => options.rowCounts.includes(rows)))
      growth = await benchmarkPageScaling(server, options, log);
  }
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart },
    settings: {
      rowCounts: options.url ? [] : options.rowCounts,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      url: options.url ?? null,
      poolConnectionLimit: POOL_CONNECTION_LIMIT,
    },
    api,
    sizes,
    latencyGrowth: growth,
    targets: checkTargets({ sizes, latencyGrowth: growth }),
  };
}
