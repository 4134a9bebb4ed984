// Runs one autocannon load in its own process, so that the load generator's CPU is not the
// benchmark's own event loop, and prints one JSON LoadResult on stdout.
// Input: one JSON LoadRequest as the only argument.
import autocannon from 'autocannon';
import type { RequestSpec } from './scenarios.ts';

export interface LoadRequest {
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  requests: RequestSpec[];
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
  totalRequests: number;
  durationSeconds: number;
}

/** A request with no answer in this long is a timeout (an error), not a slow sample. */
const REQUEST_TIMEOUT_SECONDS = 10;

function toAutocannonRequest(spec: RequestSpec): autocannon.Request {
  const request: autocannon.Request = { method: spec.method, path: spec.path };
  if (spec.headers !== undefined) request.headers = { ...spec.headers };
  if (spec.jsonBody !== undefined) {
    request.body = JSON.stringify(spec.jsonBody);
    request.headers = { ...request.headers, 'content-type': 'application/json' };
  }
  const upTo = spec.randomIdUpTo;
  if (upTo !== undefined) {
    const pathBeforeId = spec.path.replace(/[0-9]+$/, '');
    request.setupRequest = (req) => ({
      ...req,
      path: `${pathBeforeId}${1 + Math.floor(Math.random() * upTo)}`,
    });
  }
  return request;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '') as LoadRequest;
  const result = await autocannon({
    url: input.baseUrl,
    connections: input.connections,
    duration: input.durationSeconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
    requests: input.requests.map(toAutocannonRequest),
  });
  const output: LoadResult = {
    // Total over elapsed time: exact for runs of any length, where per-second samples are not.
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    totalRequests: result.requests.total,
    durationSeconds: result.duration,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  console.error('load-worker:', error instanceof Error ? error.message : error);
  process.exit(1);
});
