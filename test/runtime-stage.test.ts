// The API image's runtime stage, exercised natively: the Dockerfile's production-only install and
// build, laid out as the final stage lays them out, started exactly as its CMD starts it, against
// a real database. Also: every healthcheck and probe path is a route this running API serves.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createScratchDatabase, mysqlEnv, type ScratchDatabase } from '../db/bootstrap.ts';
import { API_ROUTES } from '../k8s/src/contract.ts';
import { databaseServerFromEnv } from '../scripts/lib/database-server.ts';
import { freePort } from '../scripts/lib/ports.ts';
import { RunningProcess } from '../scripts/lib/processes.ts';
import { healthcheckUrls } from './support/compose-rules.ts';
import { resolveCompose } from './support/docker-compose.ts';
import { commandOf, healthcheckCommand } from './support/dockerfile-rules.ts';
import { ENVIRONMENTS, loadManifests, mainContainer, probePaths } from './support/k8s-manifests.ts';
import { readRepoFile } from './support/repo.ts';
import {
  assembleRuntimeStage,
  folderBytes,
  installedPackages,
  type RuntimeStage,
} from './support/runtime-stage.ts';

const runFile = promisify(execFile);
const DOCKERFILE = readRepoFile('api/Dockerfile');
const START_TIMEOUT_MS = 15_000;
const HEALTHCHECK_TIMEOUT_MS = 5_000;
const MEGABYTE = 1024 * 1024;
// The original design's API image weighed 328 MB; the runtime payload (built output plus
// production node_modules) must stay a small fraction of that.
const PAYLOAD_BUDGET_BYTES = 40 * MEGABYTE;
const SEED_NAMES = ['Test A', 'Test B', 'Test C'];
const DEV_TOOLING = [
  'typescript',
  'vitest',
  'supertest',
  '@types/express',
  'tsx',
  '@biomejs/biome',
];

/** Only what the image would give the process: PATH, NODE_ENV and the contract's variables. */
function runtimeEnv(variables: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...variables };
}

/** The image's CMD, run in the runtime stage's WORKDIR. */
function startAsCmd(name: string, env: NodeJS.ProcessEnv): RunningProcess {
  const [program = '', ...args] = commandOf(DOCKERFILE);
  return RunningProcess.start(program, args, { name, cwd: stage?.workdir ?? '', env });
}

let stage: RuntimeStage | undefined;
let scratch: ScratchDatabase | undefined;
let api: RunningProcess | undefined;
let apiPort = 0;
const base = () => `http://127.0.0.1:${apiPort}`;

beforeAll(async () => {
  stage = await assembleRuntimeStage(DOCKERFILE);
  const server = databaseServerFromEnv();
  scratch = await createScratchDatabase(server);
  apiPort = await freePort();
  api = startAsCmd(
    'the runtime stage API',
    runtimeEnv({ API_PORT: String(apiPort), ...mysqlEnv(server, scratch.name) }),
  );
  await api.waitForHttp(`${base()}${API_ROUTES.liveness}`, START_TIMEOUT_MS);
});

afterAll(async () => {
  await api?.stop();
  await scratch?.drop();
  if (stage) await rm(stage.root, { recursive: true, force: true });
});

/** Runs a healthcheck command the way Docker does: exit code 0 means healthy. */
async function healthcheckExitCode(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [program = '', ...args] = command;
  try {
    await runFile(program, args, { env, timeout: HEALTHCHECK_TIMEOUT_MS });
    return 0;
  } catch (error) {
    return Number((error as { code?: number }).code ?? 1);
  }
}

describe('the runtime stage, built and installed as api/Dockerfile does', () => {
  it('holds production packages only', async () => {
    const packages = await installedPackages(stage?.root ?? '');
    expect(packages).toContain('express');
    expect(packages.filter((name) => DEV_TOOLING.includes(name))).toEqual([]);
  });

  it('weighs far less than the original 328 MB image', async () => {
    const root = stage?.root ?? '';
    const dist = await folderBytes(join(root, 'api/dist'));
    const modules = await folderBytes(join(root, 'node_modules'));
    const packages = await installedPackages(root);
    console.info(
      `runtime payload: dist ${(dist / MEGABYTE).toFixed(2)} MB + production node_modules ` +
        `${(modules / MEGABYTE).toFixed(2)} MB = ${((dist + modules) / MEGABYTE).toFixed(2)} MB; ` +
        `${packages.length} production packages`,
    );
    expect(dist + modules).toBeLessThan(PAYLOAD_BUDGET_BYTES);
  });
});

describe('the API started as the image CMD starts it', () => {
  it('answers /status 200 {"status":"OK"}', async () => {
    const response = await fetch(`${base()}/status`);
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: { status: 'OK' },
    });
  });

  it('lists Test A, Test B and Test C on /items', async () => {
    const response = await fetch(`${base()}/items`);
    const items = (await response.json()) as { name: string }[];
    expect(response.status).toBe(200);
    expect(items.map((item) => item.name)).toEqual(SEED_NAMES);
  });

  it('passes the image HEALTHCHECK, run as Docker runs it', async () => {
    const code = await healthcheckExitCode(
      healthcheckCommand(DOCKERFILE),
      runtimeEnv({ API_PORT: String(apiPort) }),
    );
    expect(code).toBe(0);
  });

  it('serves every path the compose healthcheck asks', async () => {
    const resolved = await resolveCompose(
      parse(readRepoFile('docker-compose.yml')),
      readRepoFile('.env'),
    );
    if (!resolved.ok) throw new Error(resolved.problems.join('\n'));
    const paths = healthcheckUrls(resolved.config.services.api ?? {}).map(
      (url) => new URL(url).pathname,
    );
    expect(paths).not.toEqual([]);
    for (const path of paths)
      expect({ path, status: (await fetch(`${base()}${path}`)).status }).toEqual({
        path,
        status: 200,
      });
  });

  it.each(ENVIRONMENTS)(
    'serves every probe path of the %s manifests with 200',
    async (environment) => {
      const manifests = await loadManifests(environment);
      const paths = probePaths(mainContainer(manifests, 'api'));
      expect(paths).not.toEqual([]);
      for (const path of paths)
        expect({ path, status: (await fetch(`${base()}${path}`)).status }).toEqual({
          path,
          status: 200,
        });
    },
  );

  it('exits 0 on SIGTERM, and the HEALTHCHECK then fails', async () => {
    api?.signal('SIGTERM');
    expect(await api?.exited).toEqual({ code: 0, signal: null });
    const code = await healthcheckExitCode(
      healthcheckCommand(DOCKERFILE),
      runtimeEnv({ API_PORT: String(apiPort) }),
    );
    expect(code).not.toBe(0);
  });
});

describe('the image HEALTHCHECK', () => {
  it('fails while the database is unreachable (so compose holds the front back)', async () => {
    const port = await freePort();
    const unreachable = await freePort();
    const lonely = startAsCmd(
      'the API without a database',
      runtimeEnv({
        API_PORT: String(port),
        MYSQL_PORT: String(unreachable),
        MYSQL_TIMEOUT_MS: '500',
      }),
    );
    try {
      await lonely.waitForHttp(`http://127.0.0.1:${port}${API_ROUTES.liveness}`, START_TIMEOUT_MS);
      const code = await healthcheckExitCode(
        healthcheckCommand(DOCKERFILE),
        runtimeEnv({ API_PORT: String(port) }),
      );
      expect(code).toBe(1);
    } finally {
      await lonely.stop();
    }
  });
});
