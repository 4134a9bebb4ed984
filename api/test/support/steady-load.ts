// Steady reads and writes from many clients at once, as an API sees them during a rolling
// restart: half the clients open a connection per request, half keep one alive (as pools and
// proxies do). Each outcome is recorded, so a test can require that not one request failed and
// that every acknowledged write was stored.
import { Agent, request } from 'node:http';

/** Half the clients open a connection per request, half keep one alive. */
export const LOAD_CLIENTS = 16;
/** A request that takes this long counts as failed (none should come close). */
const REQUEST_TIMEOUT_MS = 5000;

export type Outcome =
  | { kind: 'answered'; status: number; id?: number; toldToClose: boolean }
  | { kind: 'failed'; error: string };

export function send(
  baseUrl: string,
  agent: Agent | false,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(`${baseUrl}${path}`, {
      method,
      agent,
      timeout: REQUEST_TIMEOUT_MS,
      headers: { ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const id = res.statusCode === 201 ? (JSON.parse(text) as { id: number }).id : undefined;
        resolve({
          kind: 'answered',
          status: res.statusCode ?? 0,
          // Only telling for a keep-alive request: Node answers `close` to a request that said so.
          toldToClose: agent !== false && res.headers.connection === 'close',
          ...(id ? { id } : {}),
        });
      });
      res.on('error', (error) => resolve({ kind: 'failed', error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ kind: 'failed', error: `${method} ${path}: ${error.code ?? ''} ${error.message}` }),
    );
    req.end(body);
  });
}

export interface LoadOptions {
  /**
   * Each client's address as a proxy in front would report it (X-Forwarded-For), so that many
   * clients behind one Ingress count as many for the API's per-client rate limit.
   * @default none: every client is the connection's own address
   */
  forwardedFor?: (client: number) => string;
  /** At most this many requests a second per client. @default as fast as answers come */
  requestsPerSecond?: number;
}

/** Steady reads and writes through the balancer until `running()` turns false. */
async function runClient(
  index: number,
  baseUrl: string,
  running: () => boolean,
  outcomes: Outcome[],
  options: LoadOptions,
): Promise<void> {
  // The first half on fresh connections, then the keep-alive half: the balancer takes turns, so
  // the keep-alive clients' first connections land on both APIs, not all on one.
  const agent = index < LOAD_CLIENTS / 2 ? false : new Agent({ keepAlive: true, maxSockets: 1 });
  const headers: Record<string, string> = options.forwardedFor
    ? { 'X-Forwarded-For': options.forwardedFor(index) }
    : {};
  const spacingMs = options.requestsPerSecond ? 1000 / options.requestsPerSecond : 0;
  for (let round = 0; running(); round += 1) {
    const started = performance.now();
    const kind = (index + round) % 4;
    if (kind === 0) {
      const body = JSON.stringify({ name: `load ${index}-${round}` });
      outcomes.push(await send(baseUrl, agent, 'POST', '/items', body, headers));
    } else if (kind === 1)
      outcomes.push(await send(baseUrl, agent, 'GET', '/items/1', undefined, headers));
    else
      outcomes.push(await send(baseUrl, agent, 'GET', '/api/items?limit=50', undefined, headers));
    const idleMs = spacingMs - (performance.now() - started);
    if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
  }
  if (agent) agent.destroy();
}

export function startLoad(
  baseUrl: string,
  options: LoadOptions = {},
): { outcomes: Outcome[]; stop(): Promise<void> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const clients = Array.from({ length: LOAD_CLIENTS }, (_, index) =>
    runClient(index, baseUrl, () => running, outcomes, options),
  );
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

/** What clients saw: every failure (an error or a status that is not a success), and more. */
export function tally(outcomes: Outcome[]) {
  const answered = outcomes.flatMap((outcome) => (outcome.kind === 'answered' ? [outcome] : []));
  return {
    failed: [
      ...outcomes.filter((outcome) => outcome.kind === 'failed'),
      ...answered.filter((outcome) => outcome.status >= 300),
    ],
    toldToClose: answered.filter((outcome) => outcome.toldToClose).length,
    createdIds: answered.flatMap((outcome) => (outcome.id ? [outcome.id] : [])),
  };
}
