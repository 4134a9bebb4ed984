// Every process the benchmark starts goes through here, so that one call ends them all: on
// success, on failure and on Ctrl-C. Nothing is left listening after `npm run bench`.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/** How long a child gets to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;
/** How much of a child's stderr to keep for an error message. */
const STDERR_TAIL_BYTES = 4_096;
const READINESS_POLL_MS = 10;
const READINESS_REQUEST_TIMEOUT_MS = 1_000;
const KIB_PER_MIB = 1024;

const running = new Set<ChildProcess>();

export interface StartedProcess {
  child: ChildProcess;
  /** The last few KiB the child wrote to stderr (drained continuously, never blocking it). */
  stderrTail(): string;
}

/** Spawns a child with stdout ignored (or piped, when asked) and stderr drained into a tail. */
export function startProcess(
  command: string,
  args: string[],
  { pipeStdout = false, ...options }: SpawnOptions & { pipeStdout?: boolean },
): StartedProcess {
  const child = spawn(command, args, {
    ...options,
    // Logs are part of the cost under test, but nobody reads them: /dev/null, never a full pipe.
    stdio: ['ignore', pipeStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  return { child, stderrTail: () => tail.trim() };
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the child is gone. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map(stopProcess));
}

/** Synchronous last resort for process.on('exit'): no time left to wait for anyone. */
export function killAllProcessesNow(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** A port nobody listens on right now, on loopback. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Polls `url` until it answers 200; returns the milliseconds since `startedAt`. Fails at once
 * when the process dies, and after `timeoutMs` otherwise.
 */
export async function waitUntilReady(
  url: string,
  started: StartedProcess,
  startedAt: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = startedAt + timeoutMs;
  while (performance.now() < deadline) {
    if (hasExited(started.child)) {
      throw new Error(
        `${url}: the process exited (${started.child.exitCode}) before it was ready: ${started.stderrTail()}`,
      );
    }
    try {
      const answer = await fetch(url, {
        signal: AbortSignal.timeout(READINESS_REQUEST_TIMEOUT_MS),
      });
      await answer.arrayBuffer();
      if (answer.status === 200) return performance.now() - startedAt;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, READINESS_POLL_MS));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms: ${started.stderrTail()}`);
}

/** Resident memory of a live process in MiB, from /proc (Linux only; undefined elsewhere). */
export async function residentMemoryMiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) / KIB_PER_MIB;
  } catch {
    return undefined;
  }
}
