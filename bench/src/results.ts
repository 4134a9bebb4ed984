// The shape of a benchmark result, as written to bench/results/<timestamp>.json.

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
  /** tristack requests/s divided by the reference's, per scenario both served. */
  throughputRatios: Partial<Record<ScenarioId, number>>;
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
