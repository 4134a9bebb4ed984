// Drives one load run through the worker process and reads its JSON answer.
import { fileURLToPath } from 'node:url';
import type { LoadRequest, LoadResult } from './load-worker.ts';
import { hasExited, startProcess, stopProcess } from './processes.ts';

const WORKER_PATH = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
/** Beyond its duration, a worker gets this long to start, connect and report before it is killed. */
const WORKER_GRACE_MS = 20_000;
const MS_PER_SECOND = 1000;

export type { LoadResult };

export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  // The worker is TypeScript run through tsx's loader: it costs start-up time only, not load.
  const started = startProcess(
    process.execPath,
    ['--import', 'tsx', WORKER_PATH, JSON.stringify(request)],
    { pipeStdout: true },
  );
  let stdout = '';
  started.child.stdout?.setEncoding('utf8');
  started.child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const limitMs = request.durationSeconds * MS_PER_SECOND + WORKER_GRACE_MS;
  const timer = setTimeout(() => void stopProcess(started.child), limitMs);
  try {
    const code = await new Promise<number | null>((resolve) => {
      if (hasExited(started.child)) resolve(started.child.exitCode);
      else started.child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) {
      throw new Error(
        `load worker for ${request.baseUrl} failed (exit ${code}, limit ${limitMs} ms): ${started.stderrTail()}`,
      );
    }
    return JSON.parse(stdout) as LoadResult;
  } finally {
    clearTimeout(timer);
  }
}
