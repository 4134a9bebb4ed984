// Child processes for the tests: wait for them to answer over HTTP, stop them for sure.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 2_000;
/** How long a stopped process may take to exit before it is killed. */
export const STOP_GRACE_MS = 15_000;

/** True once the child has exited (or was killed). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Polls `url` until `isReady(status)` holds. Fails early, with `describe()`'s diagnostics, when
 * the child exits first or the time runs out.
 */
export async function waitForHttp(
  url: string,
  options: {
    child: ChildProcess;
    timeoutMs: number;
    isReady?: (status: number) => boolean;
    describe: () => string;
  },
): Promise<void> {
  const isReady = options.isReady ?? ((status: number) => status === 200);
  const deadline = Date.now() + options.timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited(options.child)) {
      throw new Error(
        `${url}: the process exited (code ${options.child.exitCode}, signal ${options.child.signalCode}) before it answered\n${options.describe()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (isReady(response.status)) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(
    `${url} was not ready within ${options.timeoutMs} ms (${lastProblem})\n${options.describe()}`,
  );
}

/** Sends `signal`, waits for the exit, and kills the process if it takes longer than the grace. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const stoppedInTime = await Promise.race([
    exited.then(() => true),
    sleep(STOP_GRACE_MS).then(() => false),
  ]);
  if (!stoppedInTime) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Keeps the last characters a stream wrote, for error messages. */
export class OutputTail {
  private text = '';

  constructor(private readonly maxChars = 8_000) {}

  append(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.maxChars);
  }

  toString(): string {
    return this.text;
  }
}
