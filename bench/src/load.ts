// Drives one load run through the worker process and reads its JSON answer.
import { fileURLToPath } from 'node:url';
import { RunningProcess } from '../../scripts/lib/processes.ts';
import type { LoadRequest, LoadResult } from './load-worker.ts';

const WORKER_PATH = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
/** Beyond its duration, a worker gets this long to start, connect and report before it is killed. */
const WORKER_GRACE_MS = 20_000;
const MS_PER_SECOND = 1000;

export type { LoadResult };

export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  // The worker is TypeScript run through tsx's loader: it costs start-up time only, not load.
  const worker = RunningProcess.start(
    process.execPath,
    ['--import', 'tsx', WORKER_PATH, JSON.stringify(request)],
    { name: `load worker for ${request.baseUrl}`, env: process.env },
  );
  const limitMs = request.durationSeconds * MS_PER_SECOND + WORKER_GRACE_MS;
  const timer = setTimeout(() => void worker.stop(), limitMs);
  try {
    const { code } = await worker.exited;
    if (code !== 0) throw worker.failure(`exited with code ${code} (limit ${limitMs} ms)`);
    return JSON.parse(worker.stdoutLines.join('\n')) as LoadResult;
  } finally {
    clearTimeout(timer);
  }
}
