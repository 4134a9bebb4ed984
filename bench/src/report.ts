// The human-readable result: Markdown tables (so a run can be pasted into docs as it is).
import type {
  BenchResult,
  FrontPathResult,
  GrowthRound,
  RunResult,
  SizeResult,
} from './results.ts';
import { pairedRounds } from './scenario-runs.ts';

const HEADER = [
  'scenario',
  'target',
  'requests/s',
  'p50 ms',
  'p99 ms',
  'errors',
  'non-2xx',
  'RSS MB',
  'tristack/ref',
];

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function runRow(run: RunResult, size: SizeResult): string[] {
  const ratio = run.target === 'tristack' ? size.throughputRatios[run.scenario] : undefined;
  return [
    run.scenario,
    run.target,
    run.requestsPerSecond.toFixed(0),
    String(run.p50Ms),
    String(run.p99Ms),
    String(run.errors),
    String(run.non2xx),
    run.rssMiB === null ? '-' : run.rssMiB.toFixed(0),
    ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
  ];
}

function sizeTitle(size: SizeResult): string {
  if (size.rows === null) return `### Existing API (largest id ${size.maxId})`;
  const details = [
    `seeded in ${size.seedSeconds?.toFixed(2)} s`,
    `API ready in ${size.apiStartToReadyMs?.toFixed(0)} ms`,
    `reference ready in ${size.referenceStartToReadyMs?.toFixed(0)} ms`,
  ];
  return `### ${size.rows.toLocaleString('en')} rows (${details.join(', ')})`;
}

const FRONT_HEADER = [
  'scenario',
  'direct req/s',
  'front req/s',
  'front/direct',
  'p50 ms direct / front',
  'p99 ms direct / front',
  'p99 front/direct',
  'httpd CPU µs/req',
  'httpd CPU cores',
  'httpd RSS MB',
  'API CPU µs/req direct / front',
];

const optional = (value: number | null, digits = 0) =>
  value === null ? '-' : value.toFixed(digits);

function frontTable(front: FrontPathResult): string[] {
  return [
    '',
    `#### Through the front: ${front.httpd} with front/httpd.conf, against the API direct`,
    '',
    `Medians of ${front.rounds} alternating rounds of ${front.runSeconds} s (front-path.ts); ` +
      'both paths ask for /api/...; httpd RSS is the sum over its processes.',
    '',
    row(FRONT_HEADER),
    row(FRONT_HEADER.map((_, index) => (index < 1 ? '---' : '---:'))),
    ...front.scenarios.map((scenario) =>
      row([
        scenario.scenario,
        scenario.direct.requestsPerSecond.toFixed(0),
        scenario.front.requestsPerSecond.toFixed(0),
        `${scenario.ratio.toFixed(2)}x`,
        `${scenario.direct.p50Ms} / ${scenario.front.p50Ms}`,
        `${scenario.direct.p99Ms} / ${scenario.front.p99Ms}`,
        `${scenario.p99Ratio.toFixed(2)}x`,
        optional(scenario.httpdCpuUsPerRequest),
        optional(scenario.httpdCpuCores, 2),
        scenario.httpdRssMiB.toFixed(0),
        `${optional(scenario.direct.apiCpuUsPerRequest)} / ${optional(scenario.front.apiCpuUsPerRequest)}`,
      ]),
    ),
  ];
}

function sizeTable(size: SizeResult): string {
  return [
    sizeTitle(size),
    '',
    row(HEADER),
    row(HEADER.map((_, index) => (index < 2 ? '---' : '---:'))),
    ...size.runs.map((run) => row(runRow(run, size))),
    ...(size.frontPath ? frontTable(size.frontPath) : []),
  ].join('\n');
}

/** How the compared scenarios were split, when they were. */
function pairedRoundsNote(durationSeconds: number): string {
  const { count, seconds } = pairedRounds(durationSeconds);
  return count > 1
    ? ` (where both servers answer, in ${count} alternating rounds of ${seconds.toFixed(1)} s; tristack/ref is the median of the rounds' ratios)`
    : '';
}

export function formatReport(result: BenchResult): string {
  const { settings, machine } = result;
  const lines = [
    `## tristack benchmark, ${result.startedAt}`,
    '',
    `${settings.durationSeconds} s per scenario and server after ${settings.warmupSeconds} s of warm-up` +
      (settings.url ? ', ' : `${pairedRoundsNote(settings.durationSeconds)}, `) +
      `${settings.connections} connections, ` +
      (settings.url
        ? `API at ${settings.url}; `
        : `pool of ${settings.poolConnectionLimit} on both servers; `) +
      `${machine.cpus} CPUs shared by the load, the servers and the database; node ${machine.node}; ` +
      `load average at start ${machine.loadAverageAtStart.map((load) => load.toFixed(2)).join(' ')}` +
      (result.api
        ? `; API built from ${result.api.commit ?? 'an unknown commit'}${result.api.apiDirty ? ' with uncommitted changes in api/' : ''}.`
        : '.'),
    '',
    ...result.sizes.flatMap((size) => [sizeTable(size), '']),
  ];
  if (result.latencyGrowth.length > 0) {
    lines.push(
      '### p50 at 1,000,000 rows against 1,000 rows',
      '',
      'Both tables served side by side, runs alternating between them (page-scaling.ts); ' +
        'per round, p50 at 1,000 -> 1,000,000 rows in ms. The ratio is the median of the rounds.',
      '',
      '| scenario | rounds, tristack | rounds, reference | tristack | reference |',
      '| --- | --- | --- | ---: | ---: |',
    );
    for (const growth of result.latencyGrowth) {
      const rounds = (small: keyof GrowthRound, large: keyof GrowthRound) =>
        growth.rounds.map((round) => `${round[small]}->${round[large]}`).join(', ');
      lines.push(
        `| ${growth.scenario} | ${rounds('tristackAt1000', 'tristackAt1000000')} | ` +
          `${rounds('referenceAt1000', 'referenceAt1000000')} | ${growth.ratio.toFixed(2)}x | ` +
          `${growth.referenceRatio.toFixed(2)}x |`,
      );
    }
    lines.push('');
  }
  lines.push('### Targets (reported, not asserted)', '');
  for (const check of result.targets)
    lines.push(`- ${check.status.toUpperCase()}: ${check.target} (${check.detail})`);
  return lines.join('\n');
}
