// A rolling restart's view of one pod: SIGTERM in the middle of steady reads and writes.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startApiProcess } from './support/api-process.ts';
import { testEnv } from './support/app.ts';
import { readItemsTable, useScratchDatabase } from './support/database.ts';

const WORKERS = 16;
const LOAD_BEFORE_SIGTERM_MS = 1500;

type Outcome =
  | { kind: 'answered'; status: number; id?: number }
  | { kind: 'refused' }
  | { kind: 'failed'; error: string };

/** One request on a new connection (no keep-alive), so "accepted" means "connected". */
function send(baseUrl: string, method: string, path: string, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(`${baseUrl}${path}`, {
      method,
      agent: false,
      headers: body ? { 'Content-Type': 'application/json' } : {},
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const id = res.statusCode === 201 ? (JSON.parse(text) as { id: number }).id : undefined;
        resolve({ kind: 'answered', status: res.statusCode ?? 0, ...(id ? { id } : {}) });
      });
      res.on('error', (error) => resolve({ kind: 'failed', error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ECONNREFUSED'
          ? { kind: 'refused' }
          : { kind: 'failed', error: `${error.code} ${error.message}` },
      ),
    );
    req.end(body);
  });
}

describe('SIGTERM under load', () => {
  const database = useScratchDatabase();

  it('fails readiness at once, completes every accepted request, refuses new ones, exits 0', {
    timeout: 30_000,
  }, async () => {
    const api = await startApiProcess(testEnv(database.name, { LOG_LEVEL: 'info' }));
    const outcomes: Outcome[] = [];
    let exited = false;
    const exitCode = api.exited.then((code) => {
      exited = true;
      return code;
    });

    async function worker(index: number): Promise<void> {
      for (let round = 0; !exited; round += 1) {
        const kind = (index + round) % 4;
        if (kind === 0)
          outcomes.push(
            await send(
              api.baseUrl,
              'POST',
              '/items',
              JSON.stringify({ name: `load ${index}-${round}` }),
            ),
          );
        else if (kind === 1) outcomes.push(await send(api.baseUrl, 'GET', '/items/1'));
        else outcomes.push(await send(api.baseUrl, 'GET', '/api/items?limit=50'));
      }
    }
    const workers = Array.from({ length: WORKERS }, (_, index) => worker(index));

    await new Promise((resolve) => setTimeout(resolve, LOAD_BEFORE_SIGTERM_MS));
    const signalled = performance.now();
    api.child.kill('SIGTERM');
    // Readiness fails at once: a probe is refused (listener closed) or answered 503.
    let readinessFailedMs: number | undefined;
    while (readinessFailedMs === undefined && performance.now() - signalled < 1000) {
      const probe = await send(api.baseUrl, 'GET', '/status');
      if (probe.kind !== 'answered' || probe.status === 503)
        readinessFailedMs = performance.now() - signalled;
    }
    expect(readinessFailedMs).toBeLessThan(500);

    expect(await exitCode).toBe(0);
    const exitMs = performance.now() - signalled;
    await Promise.all(workers);

    const answered = outcomes.filter((outcome) => outcome.kind === 'answered');
    const refused = outcomes.filter((outcome) => outcome.kind === 'refused').length;
    const failedAnswers = answered.filter((outcome) => outcome.status >= 300);
    const resets = outcomes.filter((outcome) => outcome.kind === 'failed');
    // What the API itself accepted: one log line per request it read.
    const accepted = api.stdout
      .map((line) => JSON.parse(line))
      .filter((line) => line.res?.statusCode && /^(\/api)?\/items/.test(line.req.url));
    console.info(
      `SIGTERM under load: ${accepted.length} accepted by the API, ${answered.length} answered, ` +
        `${failedAnswers.length} failed, ${refused} refused after close, ${resets.length} reset ` +
        `in the kernel's listen backlog; readiness failed after ${Math.round(readinessFailedMs ?? -1)} ms; exit 0 after ${Math.round(exitMs)} ms`,
    );
    expect(failedAnswers).toEqual([]);
    expect(accepted.every((line) => line.res.statusCode < 300)).toBe(true);
    // Every request the API accepted reached its client: none was cut.
    expect(answered.length).toBe(accepted.length);
    expect(answered.length).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(0);
    // Connections still queued in the kernel when the listener closes are reset before the API
    // ever sees them (at most one per client). In Kubernetes the preStop pause lets endpoints
    // drop the pod first, so no client is still connecting by then.
    expect(resets.length).toBeLessThanOrEqual(WORKERS);
    for (const reset of resets)
      expect(reset).toMatchObject({ error: expect.stringMatching(/^ECONNRESET/) });

    const createdIds = answered.flatMap((outcome) => (outcome.id ? [outcome.id] : []));
    const stored = new Set((await readItemsTable(database.name)).map((row) => row.id));
    expect(createdIds.filter((id) => !stored.has(id))).toEqual([]);
  });
});
