// The command line of `npm run bench`: flags, presets and their validation. Every bad flag is a
// BenchUsageError naming it, so the CLI can print one line and exit non-zero.
import { parseArgs } from 'node:util';

/** The targets (docs/benchmark.md) compare 1,000,000 rows with 1,000, and 3 rows with the reference. */
export const DEFAULT_ROW_COUNTS = [3, 1_000, 10_000, 1_000_000];
export const DEFAULT_DURATION_SECONDS = 10;
export const DEFAULT_WARMUP_SECONDS = 3;
/** The figures of docs/benchmark.md's full run were taken with 32 connections. */
export const DEFAULT_CONNECTIONS = 32;
/** db/init.sql already holds 3 rows (Test A, B, C): no table is smaller. */
export const MIN_ROWS = 3;
/** The largest size the targets name; seeding it takes seconds, larger tables would make runs unbounded. */
export const MAX_ROWS = 1_000_000;
export const MAX_DURATION_SECONDS = 120;
export const MAX_CONNECTIONS = 1_000;
export const DEFAULT_RESULTS_DIRECTORY = new URL('../results/', import.meta.url).pathname;

/** What a preset may set; flags given explicitly win over it. */
type Preset = Partial<
  Pick<BenchOptions, 'rowCounts' | 'durationSeconds' | 'warmupSeconds' | 'connections'>
>;

/** A small preset to try the benchmark in about a minute and a half. */
const QUICK_PRESET: Preset = {
  rowCounts: [3, 1_000, 10_000],
  durationSeconds: 3,
  warmupSeconds: 1,
};
/** For CI: a few seconds in all, a tiny table, a few connections; it checks the tool, not speed. */
const SMOKE_PRESET: Preset = {
  rowCounts: [300],
  durationSeconds: 1,
  warmupSeconds: 0.25,
  connections: 4,
};

export interface BenchOptions {
  rowCounts: number[];
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** An API already running elsewhere: no seeding, no reference server, no RSS. */
  url?: string;
  plot: boolean;
  smoke: boolean;
  resultsDirectory: string;
}

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

export const USAGE = `Usage: npm run bench -- [options]
  --rows 3,1000,10000,1000000  table sizes to seed and measure (${MIN_ROWS} to ${MAX_ROWS})
  --duration 10                seconds of measured load per scenario
  --warmup 3                   seconds of unmeasured load before each scenario (0 for none)
  --connections 32             concurrent keep-alive connections
  --url http://127.0.0.1:8000  measure an API already running (its own data; no reference)
  --plot                       also draw an SVG of requests/s and latency against table size
  --quick                      preset: rows 3,1000,10000, 3 s runs, 1 s warm-up
  --smoke                      preset for CI: one tiny table, 1 s runs, 4 connections
  --out DIR                    where to write results (default bench/results)
  --help                       this text`;

function parseNumber(flag: string, raw: string, min: number, max: number, integer: boolean) {
  const value = Number(raw);
  const valid =
    raw.trim() !== '' && Number.isFinite(value) && (!integer || Number.isInteger(value));
  if (!valid || value < min || value > max) {
    const kind = integer ? 'a whole number' : 'a number';
    throw new BenchUsageError(`--${flag} must be ${kind} from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseRowCounts(raw: string): number[] {
  const counts = raw
    .split(',')
    .map((part) => parseNumber('rows', part.replaceAll('_', ''), MIN_ROWS, MAX_ROWS, true));
  if (new Set(counts).size !== counts.length) {
    throw new BenchUsageError(`--rows lists a size twice: "${raw}"`);
  }
  return counts.sort((a, b) => a - b);
}

function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BenchUsageError(`--url must be an absolute http:// URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:') {
    throw new BenchUsageError(`--url must use http:// (the load stays on loopback), got "${raw}"`);
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new BenchUsageError(
      `--url must point at loopback (127.0.0.1, localhost or [::1]), got "${raw}"`,
    );
  }
  return url.origin;
}

/** Parses argv (without node and the script); throws BenchUsageError on anything wrong. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return 'help';
  if (values.quick && values.smoke)
    throw new BenchUsageError('--quick and --smoke exclude each other');
  if (values.url !== undefined && values.rows !== undefined) {
    throw new BenchUsageError(
      '--rows seeds a database of our own; with --url the API uses its own data',
    );
  }
  const preset: Preset = values.smoke ? SMOKE_PRESET : values.quick ? QUICK_PRESET : {};
  return {
    rowCounts:
      values.rows !== undefined
        ? parseRowCounts(values.rows)
        : (preset.rowCounts ?? DEFAULT_ROW_COUNTS),
    durationSeconds:
      values.duration !== undefined
        ? parseNumber('duration', values.duration, 1, MAX_DURATION_SECONDS, false)
        : (preset.durationSeconds ?? DEFAULT_DURATION_SECONDS),
    warmupSeconds:
      values.warmup !== undefined
        ? parseNumber('warmup', values.warmup, 0, MAX_DURATION_SECONDS, false)
        : (preset.warmupSeconds ?? DEFAULT_WARMUP_SECONDS),
    connections:
      values.connections !== undefined
        ? parseNumber('connections', values.connections, 1, MAX_CONNECTIONS, true)
        : (preset.connections ?? DEFAULT_CONNECTIONS),
    ...(values.url !== undefined ? { url: parseUrl(values.url) } : {}),
    plot: values.plot ?? false,
    smoke: values.smoke ?? false,
    resultsDirectory: values.out ?? DEFAULT_RESULTS_DIRECTORY,
  };
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      rows: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      url: { type: 'string' },
      plot: { type: 'boolean' },
      quick: { type: 'boolean' },
      smoke: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}
