// The latency target compares the p50 of a page at 1,000,000 rows with the same page at 1,000.
// Read off the per-size tables, those two p50s were measured minutes apart, and on a shared
// 2-core machine the speed drifts by tens of percent in that time: the same build on the same
// table read 0.78x to 1.36x of the reference from one 6 s run to the next. So the comparison has
// a phase of its own: both tables seeded, each served by a tristack API and a reference server,
// and short runs alternating between the two tables, round after round. Each round's two runs
// are seconds apart; the median of the rounds' ratios is the figure.
import { runLoad } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { GrowthRound, LatencyGrowth } from './results.ts';
import { roundOrder } from './rounds.ts';
import type { Log } from './run-benchmark.ts';
import { type ScenarioId, scenariosFor } from './scenarios.ts';
import { median } from './statistics.ts';
import { LATENCY_GROWTH_SCENARIOS } from './targets.ts';

/** Alternations per scenario: an odd count, so the median is one round's own figure. */
const SCALING_ROUNDS = 5;
/** Each run's length: short, since what the rounds buy is nearness in time. */
const SCALING_RUN_SECONDS = 3;

/** One table's two servers. */
export interface ServedTable {
  rows: number;
  maxId: number;
  apiUrl: string;
  referenceUrl: string;
}

async function p50Of(
  baseUrl: string,
  table: ServedTable,
  scenario: ScenarioId,
  seconds: number,
  connections: number,
): Promise<number> {
  const requests = scenariosFor(table.maxId).find(
    (candidate) => candidate.id === scenario,
  )?.requests;
  if (!requests) throw new Error(`no scenario ${scenario}`);
  const result = await runLoad({ baseUrl, connections, durationSeconds: seconds, requests });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(
      `${scenario} on ${baseUrl} (${table.rows} rows): ${result.errors} errors, ${result.non2xx} non-2xx`,
    );
  }
  return result.p50Ms;
}

/** Medians of the rounds' p50s, and the median of their ratios, per server. */
export function summariseRounds(scenario: ScenarioId, rounds: GrowthRound[]): LatencyGrowth {
  // A p50 under 1 ms reads as 0 (autocannon counts whole milliseconds): it divides as 1 ms.
  const medianRatio = (small: keyof GrowthRound, large: keyof GrowthRound) =>
    median(rounds.map((round) => round[large] / Math.max(round[small], 1)));
  return {
    scenario,
    p50MsAt1000: median(rounds.map((round) => round.tristackAt1000)),
    p50MsAt1000000: median(rounds.map((round) => round.tristackAt1000000)),
    ratio: medianRatio('tristackAt1000', 'tristackAt1000000'),
    referenceRatio: medianRatio('referenceAt1000', 'referenceAt1000000'),
    rounds,
  };
}

/** p50 growth from `small` to `large` for the first and the deep page, on both servers. */
export async function measurePageScaling(
  small: ServedTable,
  large: ServedTable,
  options: BenchOptions,
  log: Log,
): Promise<LatencyGrowth[]> {
  const seconds = Math.min(SCALING_RUN_SECONDS, options.durationSeconds);
  const load = (url: string, table: ServedTable, scenario: ScenarioId, runSeconds = seconds) =>
    p50Of(url, table, scenario, runSeconds, options.connections);
  const growth: LatencyGrowth[] = [];
  for (const scenario of LATENCY_GROWTH_SCENARIOS) {
    if (options.warmupSeconds > 0) {
      for (const table of [small, large])
        for (const url of [table.apiUrl, table.referenceUrl])
          await load(url, table, scenario, options.warmupSeconds);
    }
    const rounds: GrowthRound[] = [];
    for (let round = 0; round < SCALING_ROUNDS; round++) {
      // Each server's two runs are back to back; which table goes first alternates, so neither
      // always gets the warmer machine.
      const order = roundOrder(round, [small, large]);
      const p50 = new Map<string, number>();
      for (const server of ['apiUrl', 'referenceUrl'] as const)
        for (const table of order)
          p50.set(table[server], await load(table[server], table, scenario));
      const at = (table: ServedTable, server: 'apiUrl' | 'referenceUrl') =>
        p50.get(table[server]) as number;
      const last: GrowthRound = {
        tristackAt1000: at(small, 'apiUrl'),
        tristackAt1000000: at(large, 'apiUrl'),
        referenceAt1000: at(small, 'referenceUrl'),
        referenceAt1000000: at(large, 'referenceUrl'),
      };
      rounds.push(last);
      log(
        `  ${scenario.padEnd(10)} round ${round + 1}/${SCALING_ROUNDS}: ` +
          `tristack ${last.tristackAt1000} -> ${last.tristackAt1000000} ms, ` +
          `reference ${last.referenceAt1000} -> ${last.referenceAt1000000} ms`,
      );
    }
    growth.push(summariseRounds(scenario, rounds));
  }
  return growth;
}
