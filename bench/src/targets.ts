// The benchmark's targets (docs/benchmark.md, "Reading the output"), computed from one run's
// numbers. They are reported, never asserted: a noisy machine must not fail a build.
import type {
  BenchResult,
  FrontPathResult,
  LatencyGrowth,
  SizeResult,
  TargetCheck,
} from './results.ts';
import type { ScenarioId } from './scenarios.ts';

export const MAX_LATENCY_GROWTH = 1.5;
export const MAX_RSS_MIB_AFTER_MIXED = 128;
export const MAX_START_TO_READY_MS = 1_000;
/** The page's path through httpd against the API direct, in the same run (docs/benchmark.md). */
export const MIN_FRONT_RATIO = 0.75;
export const MAX_FRONT_P99_RATIO = 1.5;
/** The latency target compares the largest table with a thousandfold smaller one. */
export const SMALL_TABLE_ROWS = 1_000;
export const LARGE_TABLE_ROWS = 1_000_000;
/**
 * The first page's throughput against the bare reference: the API's own per-request work shows on
 * the smallest table, where the query costs least; on the largest the query dominates and the API
 * should nearly match the reference.
 */
export const MIN_FIRST_PAGE_RATIOS: readonly { rows: number; ratio: number }[] = [
  { rows: 3, ratio: 0.7 },
  { rows: LARGE_TABLE_ROWS, ratio: 0.95 },
];
/** The pages the latency target compares across table sizes. */
export const LATENCY_GROWTH_SCENARIOS: ScenarioId[] = ['first-page', 'deep-page'];

const format = (value: number, digits = 2) => value.toFixed(digits);

function firstPageRatioChecks(sizes: SizeResult[]): TargetCheck[] {
  return MIN_FIRST_PAGE_RATIOS.map(({ rows, ratio: minimum }) => {
    const target = `GET /items (first page) >= ${minimum}x reference at ${rows.toLocaleString('en')} rows`;
    const ratio = sizes.find((size) => size.rows === rows)?.throughputRatios['first-page'];
    if (ratio === undefined) {
      return {
        target,
        status: 'not computed',
        detail: `needs --rows to include ${rows} (and no --url)`,
      };
    }
    return {
      target,
      status: ratio >= minimum ? 'met' : 'not met',
      detail: `${format(ratio, 3)}x`,
    };
  });
}

function latencyGrowthChecks(growth: LatencyGrowth[]): TargetCheck[] {
  return LATENCY_GROWTH_SCENARIOS.map((scenario) => {
    const target = `p50 ${scenario} at 1,000,000 rows <= ${MAX_LATENCY_GROWTH}x p50 at 1,000 rows`;
    const found = growth.find((entry) => entry.scenario === scenario);
    if (!found) {
      return { target, status: 'not computed', detail: 'needs --rows to include 1000 and 1000000' };
    }
    return {
      target,
      status: found.ratio <= MAX_LATENCY_GROWTH ? 'met' : 'not met',
      detail:
        `${format(found.ratio)}x, median of ${found.rounds.length} alternating rounds ` +
        `(median p50 ${found.p50MsAt1000000} ms at 1,000,000 rows, ${found.p50MsAt1000} ms at 1,000); ` +
        `reference ${format(found.referenceRatio)}x`,
    };
  });
}

function frontPathChecks(sizes: SizeResult[]): TargetCheck[] {
  const front = sizes.find((size) => size.frontPath)?.frontPath;
  const throughput = `through the front >= ${MIN_FRONT_RATIO}x of the API direct (requests/s)`;
  const latency = `p99 through the front <= ${MAX_FRONT_P99_RATIO}x of the API direct`;
  if (!front) {
    const detail = 'no front path run (--url)';
    return [
      { target: throughput, status: 'not computed', detail },
      { target: latency, status: 'not computed', detail },
    ];
  }
  const list = (pick: (scenario: FrontPathResult['scenarios'][number]) => number) =>
    front.scenarios.map((scenario) => `${scenario.scenario} ${format(pick(scenario))}x`).join(', ');
  const where = ` at ${front.rows.toLocaleString('en')} rows, medians of ${front.rounds} alternating rounds`;
  return [
    {
      target: throughput,
      status: front.scenarios.every((scenario) => scenario.ratio >= MIN_FRONT_RATIO)
        ? 'met'
        : 'not met',
      detail: list((scenario) => scenario.ratio) + where,
    },
    {
      target: latency,
      status: front.scenarios.every((scenario) => scenario.p99Ratio <= MAX_FRONT_P99_RATIO)
        ? 'met'
        : 'not met',
      detail: list((scenario) => scenario.p99Ratio) + where,
    },
  ];
}

function cleanRunCheck(sizes: SizeResult[]): TargetCheck {
  const failing = sizes.flatMap((size) => [
    ...size.runs
      .filter((run) => run.errors > 0 || run.non2xx > 0)
      .map(
        (run) =>
          `${run.target} ${run.scenario} ${size.rows === null ? 'at --url' : `at ${size.rows} rows`}: ${run.errors} errors, ${run.non2xx} non-2xx`,
      ),
    ...(size.frontPath?.scenarios ?? [])
      .filter((scenario) => scenario.errors > 0 || scenario.non2xx > 0)
      .map(
        (scenario) =>
          `front path ${scenario.scenario} at ${size.rows} rows: ${scenario.errors} errors, ${scenario.non2xx} non-2xx`,
      ),
  ]);
  return {
    target: 'zero errors and zero non-2xx in every run',
    status: failing.length === 0 ? 'met' : 'not met',
    detail: failing.length === 0 ? 'all runs clean' : failing.join('; '),
  };
}

function memoryCheck(sizes: SizeResult[]): TargetCheck {
  const target = `API RSS <= ${MAX_RSS_MIB_AFTER_MIXED} MB at the end of the mixed run`;
  const readings = sizes.flatMap((size) => {
    const rss = size.runs.find(
      (run) => run.scenario === 'mixed' && run.target === 'tristack',
    )?.rssMiB;
    return rss === undefined || rss === null ? [] : [{ rows: size.rows, rss }];
  });
  if (readings.length === 0)
    return { target, status: 'not computed', detail: 'no API process of ours (--url)' };
  const worst = Math.max(...readings.map((reading) => reading.rss));
  return {
    target,
    status: worst <= MAX_RSS_MIB_AFTER_MIXED ? 'met' : 'not met',
    detail: readings
      .map((reading) => `${format(reading.rss, 0)} MB at ${reading.rows} rows`)
      .join(', '),
  };
}

function startupCheck(sizes: SizeResult[]): TargetCheck {
  const target = `API answers /status OK within ${MAX_START_TO_READY_MS} ms of its start`;
  const times = sizes.flatMap((size) =>
    size.apiStartToReadyMs === null ? [] : [size.apiStartToReadyMs],
  );
  if (times.length === 0)
    return { target, status: 'not computed', detail: 'no API process of ours (--url)' };
  const slowest = Math.max(...times);
  return {
    target,
    status: slowest <= MAX_START_TO_READY_MS ? 'met' : 'not met',
    detail: `slowest ${format(slowest, 0)} ms (${times.map((ms) => format(ms, 0)).join(', ')})`,
  };
}

export function checkTargets(result: Pick<BenchResult, 'sizes' | 'latencyGrowth'>): TargetCheck[] {
  return [
    ...firstPageRatioChecks(result.sizes),
    ...latencyGrowthChecks(result.latencyGrowth),
    ...frontPathChecks(result.sizes),
    cleanRunCheck(result.sizes),
    memoryCheck(result.sizes),
    startupCheck(result.sizes),
  ];
}
