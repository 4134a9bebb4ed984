// A real Prometheus runs the repository's configuration against the real API; after real traffic
// (database errors included), every PromQL query of the dashboard returns data through the HTTP
// API, as Grafana would ask it.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadDashboard, queriesOfType, substituteVariables } from '../src/dashboard.ts';
import { SAMPLE_VARIABLES } from '../src/dashboard-check.ts';
import { useRunningApi } from './support/api.ts';
import {
  configForLocalTarget,
  differingPaths,
  instantQuery,
  PROMETHEUS_CONFIG,
  promtoolCheckConfig,
  type RunningPrometheus,
  startPrometheus,
  waitForSample,
} from './support/prometheus.ts';
import { sendBurst, sendDuringDatabaseFault } from './support/traffic.ts';

const CONFIG_TEXT = readFileSync(PROMETHEUS_CONFIG, 'utf8');
const FAST_SCRAPES = { interval: '1s', timeout: '900ms' };
// Enough scrapes after the traffic for rate() over $__rate_interval to see it move.
const SCRAPES_AFTER_TRAFFIC = 3;
// Generous: in `npm test` this shares 2 cores with every other suite; waits end as soon as data is there.
const SCRAPE_WAIT_MS = 45_000;
const FAILED_DATABASE_CALLS = 3;
const FAULTS = 2;
// Longer than one scrape interval, so each step of the traffic lands in a scrape of its own.
const PAUSE_BETWEEN_BURSTS_MS = 1_500;
const API_JOB = 'tristack-api';

const api = useRunningApi();
let prometheus: RunningPrometheus | undefined;
const answers = new Map<string, number>();

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function localConfig() {
  return configForLocalTarget(CONFIG_TEXT, new URL(api.baseUrl).host, FAST_SCRAPES);
}

beforeAll(async () => {
  prometheus = await startPrometheus(localConfig());
  const ready = `tristack_ready{job="${API_JOB}"}`;
  await waitForSample(prometheus.baseUrl, ready, (value) => value === 1, SCRAPE_WAIT_MS);
  // Traffic spread over several scrapes, as in real life: a series must be seen before it
  // grows, or rate() has nothing to compare (a burst shorter than one scrape shows no rate).
  for (const send of [
    () => sendBurst(api.baseUrl),
    () => sendDuringDatabaseFault(api.baseUrl, api.database, FAILED_DATABASE_CALLS),
    () => sendBurst(api.baseUrl),
    () => sendDuringDatabaseFault(api.baseUrl, api.database, FAILED_DATABASE_CALLS),
    () => sendBurst(api.baseUrl),
  ]) {
    await send();
    await pause(PAUSE_BETWEEN_BURSTS_MS);
  }
  const trafficEnded = Date.now() / 1000;
  // Wait for scrapes stamped after the traffic, so the last of it is in Prometheus too.
  await waitForSample(
    prometheus.baseUrl,
    `timestamp(${ready})`,
    (scrapedAt) => scrapedAt > trafficEnded + SCRAPES_AFTER_TRAFFIC,
    SCRAPE_WAIT_MS,
  );
}, 150_000);

afterAll(async () => {
  await prometheus?.stop();
  if (answers.size > 0) {
    const lines = [...answers].map(([query, series]) => `  ${series} series  ${query}`);
    console.info(`dashboard queries answered by Prometheus:\n${lines.join('\n')}`);
  }
});

describe('monitoring/prometheus/prometheus.yml', () => {
  it('passes `promtool check config`', async () => {
    const result = await promtoolCheckConfig(PROMETHEUS_CONFIG);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.ok).toBe(true);
  });

  it('names the job the dashboard selects on and scrapes the API service on its port', () => {
    const config = parse(CONFIG_TEXT);
    expect(config.scrape_configs.map((job: { job_name: string }) => job.job_name)).toEqual([
      API_JOB,
    ]);
    expect(config.scrape_configs[0].static_configs[0].targets).toEqual(['api:8000']);
    expect(config.scrape_configs[0].metrics_path).toBe('/metrics');
  });

  it('is run here with only its target and scrape timing changed', () => {
    expect(differingPaths(parse(CONFIG_TEXT), localConfig()).sort()).toEqual([
      'global.scrape_interval',
      'global.scrape_timeout',
      'scrape_configs.0.static_configs.0.targets.0',
    ]);
  });
});

describe('promtool rejects a broken configuration', () => {
  const broken: [string, (config: Record<string, unknown>) => unknown][] = [
    [
      'a misspelt key',
      (c) => ({ ...c, scrape_confgs: (c as { scrape_configs: unknown }).scrape_configs }),
    ],
    [
      'a scrape timeout longer than the interval',
      (c) => ({
        ...c,
        global: { ...(c.global as object), scrape_timeout: '1m' },
      }),
    ],
  ];
  it.each(broken)('with %s', async (_name, change) => {
    const folder = await mkdtemp(join(tmpdir(), 'tristack-promtool-'));
    try {
      const path = join(folder, 'prometheus.yml');
      await writeFile(path, stringify(change(parse(CONFIG_TEXT))));
      const result = await promtoolCheckConfig(path);
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/FAILED/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('every dashboard query through a real Prometheus', () => {
  const queries = queriesOfType(loadDashboard(), 'prometheus');

  it.each(queries.map((query) => [`${query.panel} ${query.refId}`, query.expr]))(
    '%s returns data',
    async (_name, expr) => {
      if (!prometheus) throw new Error('Prometheus did not start');
      const promql = substituteVariables(expr, SAMPLE_VARIABLES);
      const result = await instantQuery(prometheus.baseUrl, promql);
      answers.set(promql, result.length);
      expect(result.length, promql).toBeGreaterThan(0);
      // A quantile over routes with no recent requests is NaN; at least one series must be real.
      expect(
        result.some((sample) => Number.isFinite(Number(sample.value[1]))),
        promql,
      ).toBe(true);
    },
  );

  it('sees the database errors the fault caused', async () => {
    if (!prometheus) throw new Error('Prometheus did not start');
    const errors = await instantQuery(
      prometheus.baseUrl,
      `sum(tristack_db_query_errors_total{job="${API_JOB}", reason="error"})`,
    );
    expect(Number(errors[0]?.value[1])).toBe(FAULTS * FAILED_DATABASE_CALLS);
  });
});
