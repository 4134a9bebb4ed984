// The shape of a benchmark result, as written to bench/results/<timestamp>.json.

import type { FrontScenarioId } from './front-path.ts';
import type { LoadResult } from './load-worker.ts';
import type { ApiRevision } from './revision.ts';
import type { ScenarioId } from './scenarios.ts';

export type TargetName = 'tristack' | 'reference';

/** One load run as the worker measured it, with what was measured and the server's memory. */
export interface RunResult extends LoadResult {
  scenario: ScenarioId;
  description: string;
  target: TargetName;
  /** Resident memory of the server answering, right after the run (MiB); null when unknown. */
  rssMiB: number | null;
  /**
   * The runs this one sums up: one, or the rounds alternating with the other server for a
   * scenario both serve (scenario-runs.ts). Requests/s is over all of them, p50 and p99 are
   * their medians.
   */
  rounds: LoadResult[];
}

export interface SizeResult {
  /** Rows seeded; null when measuring an API at --url with its own data. */
  rows: number | null;
  /** The scratch database measured (dropped by the end of the run); null with --url. */
  database: string | null;
  maxId: number;
  seedSeconds: number | null;
  apiStartToReadyMs: number | null;
  referenceStartToReadyMs: number | null;
  runs: RunResult[];
  /** tristack requests/s over the reference's, per scenario both served: the median of the rounds' ratios. */
  throughputRatios: Partial<Record<ScenarioId, number>>;
  /** Through httpd against the API direct, on this table (front-path.ts); null where not run. */
  frontPath: FrontPathResult | null;
}

/** One run of the front path phase, straight to the API or through httpd. */
export interface FrontRun extends LoadResult {
  target: 'direct' | 'front';
  /** CPU the API spent per answer in this run (µs). */
  apiCpuUsPerRequest: number | null;
  /** CPU all of httpd's processes spent per answer (µs); null for a direct run. */
  httpdCpuUsPerRequest: number | null;
  /** httpd's CPU over the run's length: 1 is one core busy; null for a direct run. */
  httpdCpuCores: number | null;
  /** Sum of httpd's processes' VmRSS right after the run (MiB). */
  httpdRssMiB: number | null;
  httpdProcesses: number | null;
}

/** One round of the front path: the two paths' runs, seconds apart. */
export interface FrontRound {
  direct: FrontRun;
  front: FrontRun;
}

interface FrontSide {
  /** Medians of the rounds. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  apiCpuUsPerRequest: number | null;
}

export interface FrontScenarioResult {
  scenario: FrontScenarioId;
  description: string;
  /** The median of the rounds' own ratios, front requests/s over direct. */
  ratio: number;
  /** The median of the rounds' p99 front over p99 direct. */
  p99Ratio: number;
  direct: FrontSide;
  front: FrontSide;
  httpdCpuUsPerRequest: number | null;
  httpdCpuCores: number | null;
  /** The largest reading after a run. */
  httpdRssMiB: number;
  errors: number;
  non2xx: number;
  rounds: FrontRound[];
}

export interface FrontPathResult {
  rows: number;
  /** apache2 -v's version line. */
  httpd: string;
  rounds: number;
  runSeconds: number;
  scenarios: FrontScenarioResult[];
}

export type TargetStatus = 'met' | 'not met' | 'not computed';

export interface TargetCheck {
  target: string;
  status: TargetStatus;
  detail: string;
}

/** One round of the page-scaling phase: p50s (ms) of runs seconds apart. */
export interface GrowthRound {
  tristackAt1000: number;
  tristackAt1000000: number;
  referenceAt1000: number;
  referenceAt1000000: number;
}

/** From the page-scaling phase (page-scaling.ts), not from the per-size tables. */
export interface LatencyGrowth {
  scenario: ScenarioId;
  /** Medians of the rounds' p50s. */
  p50MsAt1000: number;
  p50MsAt1000000: number;
  /** The median of the rounds' own ratios (1,000,000 rows over 1,000). */
  ratio: number;
  /** The same for the reference server: how much of the change is the database's. */
  referenceRatio: number;
  rounds: GrowthRound[];
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; node: string; loadAverageAtStart: number[] };
  settings: {
    rowCounts: number[];
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    url: string | null;
    poolConnectionLimit: number;
  };
  /** The API measured; null with --url (it runs whatever was started). */
  api: ApiRevision | null;
  sizes: SizeResult[];
  latencyGrowth: LatencyGrowth[];
  targets: TargetCheck[];
}
