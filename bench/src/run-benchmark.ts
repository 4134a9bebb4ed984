// One benchmark: for each table size, seed a database, start both servers, warm up and measure
// each scenario, and collect everything into a BenchResult. Cleans up after itself in all cases.
import { cpus, loadavg } from 'node:os';
import { POOL_CONNECTION_LIMIT } from '../../api/src/db.ts';
import type { ScratchDatabase, ServerAddress } from '../../db/bootstrap.ts';
import { assertDatabaseReachable } from '../../scripts/lib/database-server.ts';
import { stopAllProcesses } from '../../scripts/lib/processes.ts';
import { createSeededDatabase, restoreSeededRows, type SeededDatabase } from './database.ts';
import { findMaxId } from './discover.ts';
import { frontPathRows, measureFrontPath } from './front-path.ts';
import type { BenchOptions } from './options.ts';
import { measurePageScaling, type ServedTable } from './page-scaling.ts';
import type { BenchResult, LatencyGrowth, SizeResult } from './results.ts';
import { apiRevision } from './revision.ts';
import { measureScenarios, type Target, throughputRatios } from './scenario-runs.ts';
import { scenariosFor } from './scenarios.ts';
import {
  buildServers,
  REPO_ROOT,
  type RunningServer,
  startApi,
  startReference,
} from './servers.ts';
import { checkTargets, LARGE_TABLE_ROWS, SMALL_TABLE_ROWS } from './targets.ts';

export type Log = (line: string) => void;

/** Every scratch database not dropped yet, by name. */
const openDatabases = new Map<string, ScratchDatabase>();

/** Stops every child and drops every scratch database still there; safe to call twice. */
export async function cleanUp(): Promise<void> {
  await stopAllProcesses();
  const databases = [...openDatabases.values()];
  openDatabases.clear();
  await Promise.allSettled(databases.map((database) => database.drop()));
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

/** Seeds a table of `rows`; cleanUp() knows of it from its creation on, so Ctrl-C drops it too. */
async function seedTable(server: ServerAddress, rows: number, log: Log): Promise<SeededDatabase> {
  log(`\n${rows.toLocaleString('en')} rows: seeding...`);
  const database = await createSeededDatabase(server, rows, (created) =>
    openDatabases.set(created.name, created),
  );
  log(`  seeded ${database.name} in ${database.seedSeconds.toFixed(2)} s`);
  return database;
}

async function dropTable(database: SeededDatabase): Promise<void> {
  openDatabases.delete(database.name);
  await database.drop();
}

/** Starts both servers on a seeded table, runs `use`, then stops them (the table stays). */
async function withServedTable<T>(
  server: ServerAddress,
  database: SeededDatabase,
  log: Log,
  use: (served: ServedDatabase) => Promise<T>,
): Promise<T> {
  let api: RunningServer | undefined;
  let reference: RunningServer | undefined;
  try {
    api = await startApi(server, database.name);
    reference = await startReference(server, database.name, POOL_CONNECTION_LIMIT);
    log(
      `  ${database.rows.toLocaleString('en')} rows: API ready in ${api.startToReadyMs.toFixed(0)} ms, ` +
        `reference in ${reference.startToReadyMs.toFixed(0)} ms`,
    );
    return await use({ database, api, reference });
  } finally {
    await Promise.all([api, reference].map((running) => running?.process.stop()));
  }
}

function benchmarkTableSize(
  server: ServerAddress,
  database: SeededDatabase,
  options: BenchOptions,
  log: Log,
): Promise<SizeResult> {
  return withServedTable(server, database, log, async ({ api, reference }) => {
    // Before the scenarios, whose writes grow the table.
    const frontPath =
      database.rows === frontPathRows(options.rowCounts)
        ? await measureFrontPath(
            { rows: database.rows, maxId: database.maxId, apiUrl: api.baseUrl, apiPid: api.pid },
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
      rows: database.rows,
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

/**
 * The latency target's own phase: both table sizes at once, runs alternating between them. The
 * tables are the size loop's own, taken back to their seeded rows (its writes added some).
 */
async function benchmarkPageScaling(
  server: ServerAddress,
  small: SeededDatabase,
  large: SeededDatabase,
  options: BenchOptions,
  log: Log,
): Promise<LatencyGrowth[]> {
  log('\npage scaling: 1,000 and 1,000,000 rows served side by side, runs alternating');
  for (const database of [small, large]) await restoreSeededRows(server, database);
  return withServedTable(server, small, log, (smallServed) =>
    withServedTable(server, large, log, (largeServed) =>
      measurePageScaling(servedTable(smallServed), servedTable(largeServed), options, log),
    ),
  );
}

/**
 * Each size in turn, each table seeded once: the two that the page-scaling phase compares are
 * kept for it, every other one is dropped as soon as its size is measured.
 */
async function benchmarkSeededSizes(
  server: ServerAddress,
  options: BenchOptions,
  log: Log,
): Promise<{ sizes: SizeResult[]; growth: LatencyGrowth[] }> {
  const scalingSizes = [SMALL_TABLE_ROWS, LARGE_TABLE_ROWS];
  const scaling = scalingSizes.every((rows) => options.rowCounts.includes(rows));
  const kept = new Map<number, SeededDatabase>();
  const sizes: SizeResult[] = [];
  try {
    for (const rows of options.rowCounts) {
      const database = await seedTable(server, rows, log);
      if (scaling && scalingSizes.includes(rows)) kept.set(rows, database);
      try {
        sizes.push(await benchmarkTableSize(server, database, options, log));
      } finally {
        if (!kept.has(rows)) await dropTable(database);
      }
    }
    const [small, large] = scalingSizes.map((rows) => kept.get(rows));
    const growth =
      small && large ? await benchmarkPageScaling(server, small, large, options, log) : [];
    return { sizes, growth };
  } finally {
    for (const database of kept.values()) await dropTable(database);
  }
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
  let sizes: SizeResult[] = [];
  let growth: LatencyGrowth[] = [];
  const api = options.url ? null : apiRevision(REPO_ROOT);
  if (options.url) {
    sizes = [await benchmarkUrl(options.url, options, log)];
  } else {
    await assertDatabaseReachable(server);
    log('building the API and the reference server...');
    buildServers();
    ({ sizes, growth } = await benchmarkSeededSizes(server, options, log));
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
