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

/** How one server starts; each also gets PATH, NODE_ENV=production and the database. */
interface ServerStart {
  name: RunningServer['name'];
  entry: string;
  /** The variable that tells it its port. */
  portVariable: string;
  env: NodeJS.ProcessEnv;
}

async function startServer(
  { name, entry, portVariable, env }: ServerStart,
  server: ServerAddress,
  database: string,
): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://${LOOPBACK}:${port}`;
  const started = RunningProcess.start(process.execPath, [entry], {
    name: `${name} server (${entry})`,
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      ...mysqlEnv(server, database),
      NODE_ENV: 'production',
      [portVariable]: String(port),
      ...env,
    },
    // Logs are part of the cost under test, but nobody reads them: /dev/null, never a full pipe.
    stdout: 'ignore',
  });
  const startToReadyMs = await started.waitForHttp(`${baseUrl}/status`, READY_TIMEOUT_MS);
  return { name, baseUrl, pid: started.pid, startToReadyMs, process: started };
}

/** The API as production runs it: `node api/dist/main.js`, info logs, no rate limit. */
export function startApi(server: ServerAddress, database: string): Promise<RunningServer> {
  const api: ServerStart = {
    name: 'tristack',
    entry: API_ENTRY,
    portVariable: 'API_PORT',
    // The benchmark is one client address sending thousands of requests a second.
    env: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'info' },
  };
  return startServer(api, server, database);
}

/** The reference server, with a pool of the API's size. */
export function startReference(
  server: ServerAddress,
  database: string,
  poolSize: number,
): Promise<RunningServer> {
  const reference: ServerStart = {
    name: 'reference',
    entry: REFERENCE_ENTRY,
    portVariable: 'REFERENCE_PORT',
    env: { REFERENCE_POOL_SIZE: String(poolSize) },
  };
  return startServer(reference, server, database);
}
