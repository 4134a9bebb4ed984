// Debian's Prometheus (`.ci/run` installs the package) running the repository's configuration,
// with only the target and the scrape timing changed so it scrapes the local API every second.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePort } from '../../../scripts/lib/ports.ts';
import { RunningProcess } from '../../../scripts/lib/processes.ts';

const run = promisify(execFile);
export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS_CONFIG = fileURLToPath(
  new URL('../../prometheus/prometheus.yml', import.meta.url),
);
const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

export interface ScrapeTiming {
  interval: string;
  timeout: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the configuration is plain YAML, changed in two spots.
type PrometheusConfig = any;

/** The repository's configuration with its one target and the scrape timing replaced. */
export function configForLocalTarget(
  configText: string,
  target: string,
  timing: ScrapeTiming,
): PrometheusConfig {
  const config = parse(configText) as PrometheusConfig;
  const jobs = config.scrape_configs ?? [];
  if (jobs.length !== 1 || jobs[0].static_configs?.[0]?.targets?.length !== 1) {
    throw new Error('expected one scrape job with one static target in prometheus.yml');
  }
  jobs[0].static_configs[0].targets = [target];
  config.global.scrape_interval = timing.interval;
  config.global.scrape_timeout = timing.timeout;
  return config;
}

/** Paths where two plain documents differ (`global.scrape_interval`), for proving a copy's changes. */
export function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? [] : [path];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) =>
    differingPaths(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
    ),
  );
}

/** `promtool check config`: exit code and output. */
export async function promtoolCheckConfig(path: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(PROMTOOL, ['check', 'config', path]);
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

export interface RunningPrometheus {
  baseUrl: string;
  configPath: string;
  stop(): Promise<void>;
}

/** Starts Prometheus on a free loopback port with this configuration and a fresh TSDB. */
export async function startPrometheus(config: PrometheusConfig): Promise<RunningPrometheus> {
  const folder = await mkdtemp(join(tmpdir(), 'tristack-prometheus-'));
  const configPath = join(folder, 'prometheus.yml');
  await writeFile(configPath, stringify(config));
  const port = await freePort();
  const started = RunningProcess.start(
    PROMETHEUS,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(folder, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { name: 'prometheus', cwd: folder, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
  );
  const stop = async () => {
    await started.stop();
    await rm(folder, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await started.waitForHttp(`${baseUrl}/-/ready`, READY_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, configPath, stop };
}

export interface InstantVector {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through the HTTP API; throws with Prometheus's own error when it refuses. */
export async function instantQuery(baseUrl: string, query: string): Promise<InstantVector[]> {
  const response = await fetch(`${baseUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: InstantVector[] };
  };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${query}: ${body.error}`);
  if (body.data?.resultType !== 'vector') {
    throw new Error(`${query} answered a ${body.data?.resultType}, not an instant vector`);
  }
  return body.data.result;
}

/** Waits until `query` answers a sample whose value passes `accept`. */
export async function waitForSample(
  baseUrl: string,
  query: string,
  accept: (value: number) => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: InstantVector[] = [];
  while (Date.now() < deadline) {
    last = await instantQuery(baseUrl, query);
    if (last.some((sample) => accept(Number(sample.value[1])))) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(
    `${query} never passed within ${timeoutMs} ms; last answer ${JSON.stringify(last)}`,
  );
}
