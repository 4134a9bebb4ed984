// The API as users run it: a separate Node process started from server.ts, configured only
// through the environment, stopped with a signal.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LOG_FLUSH_INTERVAL_MS } from '../../src/logger.ts';
import { freePort } from './ports.ts';

const SERVER_ENTRY = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const READY_TIMEOUT_MS = 15_000;

export interface ApiProcess {
  child: ChildProcess;
  baseUrl: string;
  stdout: string[];
  stderr: string[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function spawnApiProcess(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: string[];
  stderr: string[];
} {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  // Whole lines only: a JSON log line can arrive split across chunks.
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) => stdout.push(line));
  child.stderr?.on('data', (chunk) => stderr.push(String(chunk)));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, stdout, stderr };
}

/** Starts the API on a free port and waits until /healthz answers. */
export async function startApiProcess(env: NodeJS.ProcessEnv): Promise<ApiProcess> {
  const port = await freePort();
  const started = spawnApiProcess({ ...env, API_PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) break;
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) {
        return {
          ...started,
          baseUrl,
          stop(signal = 'SIGTERM') {
            started.child.kill(signal);
            return started.exited;
          },
        };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  started.child.kill('SIGKILL');
  throw new Error(`the API did not start: ${started.stderr.join('')}`);
}

/** The API batches its log writes; this waits long enough for pending lines to reach stdout. */
export function logsFlushed(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 3 * LOG_FLUSH_INTERVAL_MS));
}
