// The per-size tables' runs. A scenario that both servers answer runs in rounds alternating
// between tristack and the reference (which one goes first alternates too), and its ratio is the
// median of the rounds' own ratios: on a shared 2-core machine the speed drifts by tens of
// percent within minutes, and one run on each server, back to back, let that drift into the
// ratio (the same API read 0.56x to 0.75x of the reference on the 3-row first page from one full
// run to the next; runs seconds apart, round by round, read 0.91x to 1.16x of itself).
import { residentMemoryMiB } from '../../scripts/lib/proc.ts';
import { type LoadResult, runLoad } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { RunResult, SizeResult } from './results.ts';
import { alternatingRounds } from './rounds.ts';
import type { Log } from './run-benchmark.ts';
import type { Scenario } from './scenarios.ts';
import { median } from './statistics.ts';

/** Rounds per compared scenario (an odd count, so the median is one round's own figure). */
export const PAIRED_ROUNDS = 3;

export interface Target {
  name: RunResult['target'];
  baseUrl: string;
  pid: number | undefined;
}

/** How the measured seconds split into rounds: the servers get the same time as one run each. */
export function pairedRounds(durationSeconds: number): { count: number; seconds: number } {
  const count = durationSeconds >= PAIRED_ROUNDS ? PAIRED_ROUNDS : 1;
  return { count, seconds: durationSeconds / count };
}

/** One server's rounds as one run: totals over the rounds, and the medians of their latencies. */
export function combineRounds(rounds: LoadResult[]): LoadResult {
  const sum = (pick: (round: LoadResult) => number) =>
    rounds.reduce((total, round) => total + pick(round), 0);
  const durationSeconds = sum((round) => round.durationSeconds);
  const totalRequests = sum((round) => round.totalRequests);
  return {
    requestsPerSecond: durationSeconds > 0 ? totalRequests / durationSeconds : 0,
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    errors: sum((round) => round.errors),
    timeouts: sum((round) => round.timeouts),
    non2xx: sum((round) => round.non2xx),
    totalRequests,
    durationSeconds,
  };
}

async function summarise(
  scenario: Scenario,
  target: Target,
  rounds: LoadResult[],
  log: Log,
): Promise<RunResult> {
  const result = combineRounds(rounds);
  const rss = await residentMemoryMiB(target.pid);
  const perRound =
    rounds.length > 1
      ? `  rounds ${rounds.map((round) => round.requestsPerSecond.toFixed(0)).join(', ')}`
      : '';
  log(
    `  ${scenario.id.padEnd(10)} ${target.name.padEnd(9)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s` +
      `  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  errors ${result.errors}  non-2xx ${result.non2xx}${perRound}`,
  );
  return {
    scenario: scenario.id,
    description: scenario.description,
    target: target.name,
    ...result,
    rssMiB: rss ?? null,
    rounds,
  };
}

/** Warms each target up, then runs `count` rounds of the scenario alternating between them. */
async function measureRounds(
  scenario: Scenario,
  targets: Target[],
  options: BenchOptions,
  log: Log,
): Promise<RunResult[]> {
  const load = (target: Target, durationSeconds: number) =>
    runLoad({
      baseUrl: target.baseUrl,
      connections: options.connections,
      durationSeconds,
      requests: scenario.requests,
    });
  if (options.warmupSeconds > 0) {
    for (const target of targets) await load(target, options.warmupSeconds);
  }
  const { count, seconds } =
    targets.length > 1
      ? pairedRounds(options.durationSeconds)
      : { count: 1, seconds: options.durationSeconds };
  const rounds = await alternatingRounds(count, targets, (target) => load(target, seconds));
  const runs: RunResult[] = [];
  for (const [index, target] of targets.entries()) {
    const own = rounds.map((results) => results[index] as LoadResult);
    runs.push(await summarise(scenario, target, own, log));
  }
  return runs;
}

/** Every scenario on the API, and those the reference serves too on both, in alternating rounds. */
export async function measureScenarios(
  scenarios: Scenario[],
  api: Target,
  reference: Target | undefined,
  options: BenchOptions,
  log: Log,
): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const scenario of scenarios) {
    const targets = reference && scenario.alsoOnReference ? [api, reference] : [api];
    runs.push(...(await measureRounds(scenario, targets, options, log)));
  }
  return runs;
}

/** Per scenario both served: the median of the rounds' ratios, tristack over the reference. */
export function throughputRatios(runs: RunResult[]): SizeResult['throughputRatios'] {
  const ratios: SizeResult['throughputRatios'] = {};
  for (const reference of runs.filter((candidate) => candidate.target === 'reference')) {
    const ours = runs.find(
      (candidate) => candidate.target === 'tristack' && candidate.scenario === reference.scenario,
    );
    if (!ours) continue;
    const roundRatios = ours.rounds
      .map((round, index) => {
        const theirs = reference.rounds[index]?.requestsPerSecond ?? 0;
        return theirs > 0 ? round.requestsPerSecond / theirs : Number.NaN;
      })
      .filter(Number.isFinite);
    if (roundRatios.length > 0) ratios[reference.scenario] = median(roundRatios);
  }
  return ratios;
}
