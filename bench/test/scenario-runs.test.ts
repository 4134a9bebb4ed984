// How the per-size tables' alternating rounds become a run and a ratio.
import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../src/load-worker.ts';
import type { RunResult } from '../src/results.ts';
import { combineRounds, pairedRounds, throughputRatios } from '../src/scenario-runs.ts';

const load = (requestsPerSecond: number, p50Ms = 5, p99Ms = 10): LoadResult => ({
  requestsPerSecond,
  p50Ms,
  p99Ms,
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  totalRequests: requestsPerSecond * 2,
  durationSeconds: 2,
});

const run = (target: RunResult['target'], rounds: LoadResult[]): RunResult => ({
  scenario: 'first-page',
  description: 'GET /items',
  target,
  ...combineRounds(rounds),
  rssMiB: 100,
  rounds,
});

describe('pairedRounds', () => {
  it('splits the measured seconds into three rounds, so each server gets the same time as before', () => {
    expect(pairedRounds(10)).toEqual({ count: 3, seconds: 10 / 3 });
    expect(pairedRounds(3)).toEqual({ count: 3, seconds: 1 });
  });

  it('keeps one run when the time is too short to split (--smoke)', () => {
    expect(pairedRounds(1)).toEqual({ count: 1, seconds: 1 });
  });
});

describe('combineRounds', () => {
  it('sums requests and time, and takes the median latencies', () => {
    const combined = combineRounds([load(1000, 4, 9), load(3000, 6, 30), load(2000, 5, 12)]);
    expect(combined.totalRequests).toBe(12_000);
    expect(combined.durationSeconds).toBe(6);
    expect(combined.requestsPerSecond).toBe(2000);
    expect(combined.p50Ms).toBe(5);
    expect(combined.p99Ms).toBe(12);
  });
});

describe('throughputRatios', () => {
  it("takes the median of the rounds' own ratios, not the ratio of the totals", () => {
    // The machine was twice as fast during the second round, for both servers alike.
    const ours = run('tristack', [load(700), load(1600), load(750)]);
    const reference = run('reference', [load(1000), load(2000), load(1000)]);
    // Rounds 0.7, 0.8, 0.75: the median is 0.75; the totals would give 3050 / 4000 = 0.7625.
    expect(throughputRatios([ours, reference])['first-page']).toBeCloseTo(0.75, 10);
  });

  it('gives no ratio for a scenario the reference did not serve', () => {
    expect(throughputRatios([run('tristack', [load(700)])])).toEqual({});
  });
});
