// `npm run soak`: the sustained-load check (docs/benchmark.md), kept out of CI for its length. A mixed
// 90/10 read/write load on the API's production build for --duration seconds (default 60) at
// --connections (default 64) after a warm-up; it reports errors, non-2xx and the API's memory
// (RSS) after warm-up, every segment and at the end. Exit 0 whether or not the criteria hold
// (they are printed), 1 on failure, 2 on bad flags, 130 when interrupted.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertDatabaseReachable,
  databaseServerFromEnv,
} from '../../scripts/lib/database-server.ts';
import { residentMemoryMiB } from '../../scripts/lib/proc.ts';
import { stopAllProcesses } from '../../scripts/lib/processes.ts';
import { createSeededDatabase } from './database.ts';
import { runLoad } from './load.ts';
import { DEFAULT_RESULTS_DIRECTORY } from './options.ts';
import { runMain } from './run-main.ts';
import { scenariosFor } from './scenarios.ts';
import { buildServers, startApi } from './servers.ts';
import { median } from './statistics.ts';

const LIMITS = {
  duration: { default: 60, min: 10, max: 600 },
  connections: { default: 64, min: 1, max: 1000 },
  rows: { default: 10_000, min: 3, max: 1_000_000 },
  warmup: { default: 15, min: 0, max: 120 },
} as const;
type Flag = keyof typeof LIMITS;
/** RSS is sampled between load segments of this length. */
const SEGMENT_SECONDS = 10;
/** The soak's bound on memory growth after warm-up (docs/benchmark.md). */
const MAX_GROWTH_RATIO = 0.1;

function parseFlags(argv: string[]): Record<Flag, number> {
  const values = Object.fromEntries(
    Object.entries(LIMITS).map(([flag, limit]) => [flag, limit.default]),
  ) as Record<Flag, number>;
  for (let index = 0; index < argv.length; index += 2) {
    const flag = argv[index]?.replace(/^--/, '') as Flag;
    const raw = argv[index + 1];
    const limit = LIMITS[flag];
    if (!limit)
      throw new Error(
        `unknown flag ${argv[index]} (flags: --duration, --connections, --rows, --warmup)`,
      );
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < limit.min || value > limit.max) {
      throw new Error(`--${flag} must be a whole number from ${limit.min} to ${limit.max}`);
    }
    values[flag] = value;
  }
  return values;
}

/** The API's own view of its JavaScript heap (prom-client's default metric), to tell a leak from V8 growing its spaces. */
async function heapUsedMiB(baseUrl: string): Promise<number> {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const bytes = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(metrics)?.[1];
  return bytes === undefined ? Number.NaN : Number(bytes) / 1024 / 1024;
}

async function main(): Promise<number> {
  let flags: Record<Flag, number>;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    console.error(`soak: ${(error as Error).message}`);
    return 2;
  }
  const server = databaseServerFromEnv();
  await assertDatabaseReachable(server);
  buildServers();
  const database = await createSeededDatabase(server, flags.rows);
  const cleanUp = async () => {
    await stopAllProcesses();
    await database.drop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    const api = await startApi(server, database.name);
    const mixed = scenariosFor(database.maxId).find((scenario) => scenario.id === 'mixed');
    if (!mixed) throw new Error('no mixed scenario');
    const load = (seconds: number) =>
      runLoad({
        baseUrl: api.baseUrl,
        connections: flags.connections,
        durationSeconds: seconds,
        requests: mixed.requests,
      });

    if (flags.warmup > 0) await load(flags.warmup);
    const afterWarmup = (await residentMemoryMiB(api.pid)) ?? Number.NaN;
    const samples: number[] = [];
    const heapSamples: number[] = [];
    const totals = { requests: 0, errors: 0, non2xx: 0 };
    for (let elapsed = 0; elapsed < flags.duration; elapsed += SEGMENT_SECONDS) {
      const result = await load(Math.min(SEGMENT_SECONDS, flags.duration - elapsed));
      totals.requests += result.totalRequests;
      totals.errors += result.errors;
      totals.non2xx += result.non2xx;
      samples.push((await residentMemoryMiB(api.pid)) ?? Number.NaN);
      heapSamples.push(await heapUsedMiB(api.baseUrl));
      console.error(
        `soak: ${elapsed + SEGMENT_SECONDS}s ${Math.round(result.requestsPerSecond)} req/s, ` +
          `RSS ${samples.at(-1)?.toFixed(1)} MB, JS heap used ${heapSamples.at(-1)?.toFixed(1)} MB`,
      );
    }
    const end = samples.at(-1) ?? Number.NaN;
    // RSS follows the garbage collector's sawtooth (tens of MB either way): one sample against
    // another only says where in a cycle each fell. The trend compares the median of the last
    // third of the samples with the median of the first third: a leak moves it, a sawtooth
    // does not. The single sample right after warm-up is reported too.
    const third = Math.max(1, Math.floor(samples.length / 3));
    const firstThird = median(samples.slice(0, third));
    const lastThird = median(samples.slice(-third));
    const growth = (lastThird - firstThird) / firstThird;
    const report = {
      startedAt: new Date().toISOString(),
      flags,
      totals,
      rssMiB: {
        afterWarmup,
        end,
        max: Math.max(...samples),
        firstThirdMedian: firstThird,
        lastThirdMedian: lastThird,
        samples,
      },
      heapUsedMiB: heapSamples,
      growth,
      criteria: {
        zeroErrors: totals.errors === 0 && totals.non2xx === 0,
        memoryGrowthWithin10Percent: growth <= MAX_GROWTH_RATIO,
      },
    };
    await mkdir(DEFAULT_RESULTS_DIRECTORY, { recursive: true });
    const path = join(
      DEFAULT_RESULTS_DIRECTORY,
      `soak-${report.startedAt.replaceAll(':', '-')}.json`,
    );
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    console.log(
      `soak: ${flags.duration}s at ${flags.connections} connections, ${totals.requests} requests, ` +
        `${totals.errors} errors, ${totals.non2xx} non-2xx; RSS ${afterWarmup.toFixed(1)} MB after warm-up → ` +
        `${end.toFixed(1)} MB at the end (max ${report.rssMiB.max.toFixed(1)} MB); median of the first third ` +
        `${firstThird.toFixed(1)} MB, of the last third ${lastThird.toFixed(1)} MB: ${(growth * 100).toFixed(1)}% growth`,
    );
    console.log(`${report.criteria.zeroErrors ? 'MET' : 'NOT MET'}: zero errors and zero non-2xx`);
    console.log(
      `${report.criteria.memoryGrowthWithin10Percent ? 'MET' : 'NOT MET'}: memory growth after warm-up within 10%`,
    );
    console.log(`written: ${path}`);
    return 0;
  } finally {
    await cleanUp();
  }
}

runMain('soak', main);
