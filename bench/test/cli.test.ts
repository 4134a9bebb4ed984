// The benchmark must not rot: run it for real (tiny table, short runs) and check that it
// produced a well-formed result. Speed is never asserted here.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import type { BenchResult } from '../src/results.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', 'bench/src/cli.ts'];
const API_SCENARIOS = ['first-page', 'deep-page', 'by-id', 'status', 'create', 'mixed'];
const REFERENCE_SCENARIOS = ['first-page', 'deep-page', 'by-id'];
const FRONT_SCENARIOS = ['first-page', 'by-id', 'page-gzip'];
const SMOKE_LIMIT_MS = 170_000;
const EXIT_USAGE = 2;
const PLOT_PANELS = 3;

const run = promisify(execFile);

function runCli(args: string[]) {
  return run(process.execPath, [...CLI, ...args], { cwd: REPO_ROOT, timeout: SMOKE_LIMIT_MS });
}

describe('npm run bench -- --smoke', () => {
  let resultsDirectory: string;
  let stdout: string;
  let result: BenchResult;
  let files: string[];

  beforeAll(async () => {
    resultsDirectory = await mkdtemp(join(tmpdir(), 'tristack-bench-'));
    ({ stdout } = await runCli(['--smoke', '--plot', '--out', resultsDirectory]));
    files = await readdir(resultsDirectory);
    const jsonFile = files.find((file) => file.endsWith('.json'));
    if (!jsonFile) throw new Error(`no JSON result in ${resultsDirectory}: ${files.join(', ')}`);
    result = JSON.parse(await readFile(join(resultsDirectory, jsonFile), 'utf8')) as BenchResult;
  }, SMOKE_LIMIT_MS);

  afterAll(async () => {
    if (resultsDirectory) await rm(resultsDirectory, { recursive: true, force: true });
  });

  it('measures every scenario on the API and the compared ones on the reference server', () => {
    expect(result.sizes).toHaveLength(1);
    const runs = result.sizes[0]?.runs ?? [];
    const measured = (target: string) =>
      runs.filter((entry) => entry.target === target).map((entry) => entry.scenario);
    expect(measured('tristack')).toEqual(API_SCENARIOS);
    expect(measured('reference')).toEqual(REFERENCE_SCENARIOS);
  });

  it('records finite, positive measurements with no errors and no non-2xx answers', () => {
    for (const entry of result.sizes.flatMap((size) => size.runs)) {
      const where = `${entry.target} ${entry.scenario}`;
      for (const value of [entry.requestsPerSecond, entry.p50Ms, entry.p99Ms, entry.rssMiB]) {
        expect(Number.isFinite(value), `${where}: ${value}`).toBe(true);
      }
      expect(entry.totalRequests, where).toBeGreaterThan(0);
      expect(entry.rounds.length, where).toBeGreaterThan(0);
      const roundRequests = entry.rounds.reduce((sum, round) => sum + round.totalRequests, 0);
      expect(roundRequests, where).toBe(entry.totalRequests);
      expect(entry.errors, where).toBe(0);
      expect(entry.non2xx, where).toBe(0);
    }
  });

  it('reports the seed time, the start-to-ready times and a ratio to the reference', () => {
    const size = result.sizes[0];
    expect(size?.maxId).toBe(size?.rows);
    for (const value of [
      size?.seedSeconds,
      size?.apiStartToReadyMs,
      size?.referenceStartToReadyMs,
    ]) {
      expect(Number.isFinite(value)).toBe(true);
    }
    for (const scenario of REFERENCE_SCENARIOS) {
      expect(size?.throughputRatios[scenario as 'first-page']).toBeGreaterThan(0);
    }
  });

  it("measures the front path through apache2 against the API direct, with httpd's CPU and memory", () => {
    const front = result.sizes[0]?.frontPath;
    expect(front?.rows).toBe(result.sizes[0]?.rows);
    expect(front?.httpd).toMatch(/^Apache\/2\.4\./);
    expect(front?.scenarios.map((scenario) => scenario.scenario)).toEqual(FRONT_SCENARIOS);
    for (const scenario of front?.scenarios ?? []) {
      const where = `front path ${scenario.scenario}`;
      expect(scenario.rounds.length, where).toBe(front?.rounds);
      for (const value of [
        scenario.ratio,
        scenario.p99Ratio,
        scenario.direct.requestsPerSecond,
        scenario.front.requestsPerSecond,
        scenario.front.p99Ms,
        scenario.httpdCpuUsPerRequest,
        scenario.httpdCpuCores,
        scenario.front.apiCpuUsPerRequest,
      ]) {
        expect(Number.isFinite(value), `${where}: ${value}`).toBe(true);
      }
      expect(scenario.ratio, where).toBeGreaterThan(0);
      expect(scenario.httpdRssMiB, where).toBeGreaterThan(0);
      expect(scenario.errors, where).toBe(0);
      expect(scenario.non2xx, where).toBe(0);
    }
    expect(stdout).toContain('| scenario | direct req/s | front req/s | front/direct |');
  });

  it('prints the table and every target as met, not met or not computed', () => {
    expect(stdout).toContain('| scenario | target | requests/s | p50 ms | p99 ms |');
    expect(result.targets.length).toBeGreaterThan(0);
    for (const check of result.targets) {
      expect(['met', 'not met', 'not computed']).toContain(check.status);
      expect(stdout).toContain(check.target);
    }
  });

  it('draws the plot next to the JSON', async () => {
    const svgFile = files.find((file) => file.endsWith('.svg'));
    expect(svgFile).toBeDefined();
    const svg = await readFile(join(resultsDirectory, svgFile ?? ''), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('Throughput');
    // One point per scenario and server in each panel: throughput, p50 and p99.
    const pointsPerPanel = API_SCENARIOS.length + REFERENCE_SCENARIOS.length;
    expect(svg.match(/<circle /g)?.length).toBe(PLOT_PANELS * pointsPerPanel);
  });

  it('drops its scratch database', async () => {
    const connection = await mysql.createConnection(databaseServerFromEnv());
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [result.sizes[0]?.database],
      );
      expect(rows).toEqual([]);
    } finally {
      await connection.end();
    }
  });
});

describe('npm run bench with bad flags', () => {
  it.each([
    ['--rows', '2', '--rows must be a whole number from 3 to 1000000, got "2"'],
    ['--duration', 'soon', '--duration must be a number from 1 to 120, got "soon"'],
    ['--connections', '0', '--connections must be a whole number from 1 to 1000, got "0"'],
    ['--url', 'http://example.com', '--url must point at loopback'],
  ])('exits %s %s with a message naming the flag', async (flag, value, message) => {
    const failure = await runCli([flag, value]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(EXIT_USAGE);
    expect(failure?.stderr).toContain(message);
  });
});
