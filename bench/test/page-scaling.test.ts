// How the page-scaling rounds become the latency target's figure.
import { describe, expect, it } from 'vitest';
import { summariseRounds } from '../src/page-scaling.ts';
import type { GrowthRound } from '../src/results.ts';

const round = (tristack: [number, number], reference: [number, number]): GrowthRound => ({
  tristackAt1000: tristack[0],
  tristackAt1000000: tristack[1],
  referenceAt1000: reference[0],
  referenceAt1000000: reference[1],
});

describe('summariseRounds', () => {
  it("takes the median of the rounds' own ratios, so one slow moment does not decide", () => {
    const growth = summariseRounds('deep-page', [
      round([10, 11], [8, 8]),
      round([12, 12], [8, 12]),
      round([10, 40], [9, 9]), // the machine stalled during one run
      round([20, 18], [16, 16]),
      round([10, 12], [8, 4]),
    ]);
    expect(growth.scenario).toBe('deep-page');
    // Ratios 1.1, 1.0, 4.0, 0.9, 1.2: the median is 1.1.
    expect(growth.ratio).toBeCloseTo(1.1, 10);
    // Reference ratios 1.0, 1.5, 1.0, 1.0, 0.5.
    expect(growth.referenceRatio).toBe(1);
    expect(growth.p50MsAt1000).toBe(10);
    expect(growth.p50MsAt1000000).toBe(12);
    expect(growth.rounds).toHaveLength(5);
  });

  it('divides a p50 under 1 ms (reported as 0) as 1 ms rather than by zero', () => {
    const growth = summariseRounds('first-page', [round([0, 2], [0, 0])]);
    expect(growth.ratio).toBe(2);
    expect(growth.referenceRatio).toBe(0);
  });

  it('takes the middle two of an even count', () => {
    const growth = summariseRounds('first-page', [
      round([10, 10], [1, 1]),
      round([10, 20], [1, 1]),
    ]);
    expect(growth.ratio).toBe(1.5);
  });
});
