// The two servers under load: the API's production build and the reference server, each built
// once and then started against one scratch database at a time.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mysqlEnv, type ServerAddress } from '../../db/bootstrap.ts';
import { freePort, LOOPBACK } from '../../scripts/lib/ports.ts';
import { RunningProcess } from '../../scripts/lib/processes.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_ENTRY = 'api/dist/main.js';
const REFERENCE_ENTRY = 'bench/dist/reference-server.js';
const TYPESCRIPT_COMPILER = 'node_modules/typescript/bin/tsc';
/** Generous: the target is 1 s, but a slow machine should get a number rather than a failure. */
const READY_TIMEOUT_MS = 30_000;

export interface RunningServer {
  name: 'tristack' | 'reference';
  baseUrl: string;
  pid: number | undefined;
  /** From spawn to the first 200 on the readiness URL. */
  startToReadyMs: number;
  process: RunningProcess;
}

function runBuildStep(description: string, command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${description} failed (${command} ${args.join(' ')}):\n${output}`);
  }
}

/**
 * Both servers run under plain `node` from JavaScript compiled by tsc: neither pays for a
 * TypeScript loader, so the comparison is between the code alone.
 */
export function buildServers(): void {
  runBuildStep('building the API', 'npm', ['run', 'build', '-w', 'api']);
  runBuildStep('building the reference server', process.execPath, [
    TYPESCRIPT_COMPILER,
    '-p',
    'bench/tsconfig.build.json',
  ]);
}

function databaseEnv(server: ServerAddress, database: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...mysqlEnv(server, database),
    NODE_ENV: 'production',
  };
}

async function startServer(
  name: RunningServer['name'],
  entry: string,
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<RunningServer> {
  const baseUrl = `http://${LOOPBACK}:${port}`;
  const started = RunningProcess.start(process.execPath, [entry], {
    name: `${name} server (${entry})`,
    cwd: REPO_ROOT,
    env,
    // Logs are part of the cost under test, but nobody reads them: /dev/null, never a full pipe.
    stdout: 'ignore',
  });
  const startToReadyMs = await started.waitForHttp(`${baseUrl}/status`, READY_TIMEOUT_MS);
  return { name, baseUrl, pid: started.pid, startToReadyMs, process: started };
}

/** The API as production runs it: `node api/dist/main.js`, info logs, no rate limit. */
export async function startApi(server: ServerAddress, database: string): Promise<RunningServer> {
  const port = await freePort();
  return startServer(
    'tristack',
    API_ENTRY,
    {
      ...databaseEnv(server, database),
      API_PORT: String(port),
      // The benchmark is one client address sending thousands of requests a second.
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
    },
    port,
  );
}

export async function startReference(
  server: ServerAddress,
  database: string,
  poolSize: number,
): Promise<RunningServer> {
  const port = await freePort();
  return startServer(
    'reference',
    REFERENCE_ENTRY,
    {
      ...databaseEnv(server, database),
      REFERENCE_PORT: String(port),
      REFERENCE_POOL_SIZE: String(poolSize),
    },
    port,
  );
}
