// The API as users run it: a separate Node process started from its entry, configured only
// through the environment, stopped with a signal. The API's own tests, the front's and the
// monitoring's all start it through here.
import { fileURLToPath } from 'node:url';
import { freePort, LOOPBACK } from '../../../scripts/lib/ports.ts';
import { type OutputSink, RunningProcess } from '../../../scripts/lib/processes.ts';
import { LOG_FLUSH_INTERVAL_MS } from '../../src/logger.ts';

export const API_ENTRY = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const READY_TIMEOUT_MS = 15_000;

export interface ApiProcess {
  process: RunningProcess;
  child: RunningProcess['child'];
  baseUrl: string;
  port: number;
  /** Its JSON log lines. */
  stdout: string[];
  stderr: string[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface ApiProcessOptions {
  /** @default a free port */
  port?: number;
  /** Where its log lines go. @default 'pipe', into `stdout` */
  stdout?: OutputSink;
}

/** Spawns the API (through tsx) with only PATH and `env`; does not wait for it. */
export function spawnApiProcess(env: NodeJS.ProcessEnv, stdout: OutputSink = 'pipe'): ApiProcess {
  const port = Number(env.API_PORT);
  const started = RunningProcess.start(process.execPath, ['--import', 'tsx', API_ENTRY], {
    name: `the API on port ${env.API_PORT ?? 'default'}`,
    env: { PATH: process.env.PATH, ...env },
    stdout,
  });
  return {
    process: started,
    child: started.child,
    baseUrl: `http://${LOOPBACK}:${port}`,
    port,
    stdout: started.stdoutLines,
    stderr: started.stderrLines,
    stop: async (signal = 'SIGTERM') => (await started.stop(signal)).code,
    exited: started.exited.then((exit) => exit.code),
  };
}

/** Starts the API and waits until /healthz answers 200; its output is in the error otherwise. */
export async function startApiProcess(
  env: NodeJS.ProcessEnv,
  options: ApiProcessOptions = {},
): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const api = spawnApiProcess({ ...env, API_PORT: String(port) }, options.stdout);
  try {
    await api.process.waitForHttp(`${api.baseUrl}/healthz`, READY_TIMEOUT_MS);
  } catch (error) {
    await api.process.stop('SIGKILL');
    throw error;
  }
  return api;
}

/** The API batches its log writes; this waits long enough for pending lines to reach stdout. */
export function logsFlushed(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 3 * LOG_FLUSH_INTERVAL_MS));
}
