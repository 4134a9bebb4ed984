// A small TCP load balancer, as kube-proxy or an L4 cloud balancer sees the API's instances: each
// new client connection goes to one healthy backend, in turn, and stays pinned to it for its
// whole life. A backend is healthy while its /status answers 200 (checked every 100 ms); an
// endpoint can also be removed outright, as Kubernetes removes a terminating pod's endpoints
// before the pod gets SIGTERM. It never retries a failed connection elsewhere, so a backend
// that refuses or resets shows up as a client error, as it would behind kube-proxy.
// With `readiness: 'external'` it checks nothing itself: the caller says which backends are ready,
// as the endpoints controller does from the kubelet's readiness probes (the pod harness's Services).
import { request } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../../scripts/lib/ports.ts';

const CHECK_INTERVAL_MS = 100;
/** A check still unanswered after this long counts as failed. */
const CHECK_TIMEOUT_MS = 1000;
const HEALTH_PATH = '/status';

export interface Backend {
  host: string;
  port: number;
}

interface Endpoint {
  backend: Backend;
  healthy: boolean;
  removed: boolean;
}

export interface BalancerOptions {
  /** Where it listens. @default 127.0.0.1 and a free port */
  host?: string;
  port?: number;
  /** Who decides a backend is healthy: its own /status checks, or the caller. @default 'checks' */
  readiness?: 'checks' | 'external';
}

export interface BalancerCounts {
  /** Client connections sent to each backend, in the order the backends were given. */
  connectionsPerBackend: number[];
  /** Client connections closed at once because no backend was healthy. */
  noBackend: number;
  /** Client connections reset because their backend refused or reset the connection. */
  backendErrors: number;
}

/** One health check on a fresh connection: true for a 200 in time. */
function checkHealth(backend: Backend): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...backend, path: HEALTH_PATH, agent: false, timeout: CHECK_TIMEOUT_MS });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Copies bytes both ways, a FIN as a FIN (half-close) and a reset as a reset, as a TCP hop
 * would show them.
 */
function splice(client: Socket, upstream: Socket, onUpstreamError: () => void): void {
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.resetAndDestroy());
  upstream.on('error', () => {
    onUpstreamError();
    client.resetAndDestroy();
  });
  // Either side closes only once both directions are done (or one failed): nothing to keep.
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
}

export class LoadBalancer {
  private readonly endpoints: Endpoint[] = [];
  private readonly clients = new Set<Socket>();
  private readonly counts: BalancerCounts = {
    connectionsPerBackend: [],
    noBackend: 0,
    backendErrors: 0,
  };
  private next = 0;
  private checker: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly checkWaiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * Listens once every backend has passed a first health check (with `readiness: 'checks'`), or
   * at once with no backend ready (with `readiness: 'external'`).
   */
  static async start(backends: Backend[], options: BalancerOptions = {}): Promise<LoadBalancer> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? (await freePort());
    const server = createServer({ allowHalfOpen: true });
    const balancer = new LoadBalancer(server, host, port);
    for (const backend of backends) balancer.add(backend);
    server.on('connection', (client) => balancer.route(client));
    if ((options.readiness ?? 'checks') === 'checks') {
      await balancer.checkAll();
      const unhealthy = balancer.endpoints.filter((endpoint) => !endpoint.healthy);
      if (unhealthy.length) {
        throw new Error(
          `backends not healthy: ${unhealthy.map((e) => `${e.backend.host}:${e.backend.port}`).join(', ')}`,
        );
      }
      balancer.checker = setInterval(() => void balancer.checkAll(), CHECK_INTERVAL_MS);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return balancer;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** A new backend, not ready until a check or the caller says so. */
  add(backend: Backend): void {
    this.endpoints.push({ backend, healthy: false, removed: false });
    this.counts.connectionsPerBackend.push(0);
  }

  /** With `readiness: 'external'`: whether the backend may take new connections. */
  setReady(backend: Backend, ready: boolean): void {
    for (const endpoint of this.endpoints) {
      if (endpoint.backend === backend) endpoint.healthy = ready;
    }
  }

  /** Takes the backend out of rotation for new connections; existing ones stay pinned to it. */
  remove(backend: Backend): void {
    for (const endpoint of this.endpoints) {
      if (endpoint.backend === backend) endpoint.removed = true;
    }
  }

  /**
   * Resolves as soon as the next round of health checks has finished, so that what happens next
   * is seen only a whole check interval later: the worst case for a backend that changes.
   */
  afterNextCheck(): Promise<void> {
    return new Promise((resolve) => this.checkWaiters.push(resolve));
  }

  get stats(): BalancerCounts {
    return structuredClone(this.counts);
  }

  async stop(): Promise<void> {
    clearInterval(this.checker);
    for (const client of this.clients) client.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async checkAll(): Promise<void> {
    // One round at a time, so a slow answer cannot overwrite a newer one.
    if (this.checking) return;
    this.checking = true;
    const results = await Promise.all(this.endpoints.map(({ backend }) => checkHealth(backend)));
    for (const [index, healthy] of results.entries()) {
      const endpoint = this.endpoints[index];
      if (endpoint) endpoint.healthy = healthy;
    }
    this.checking = false;
    for (const resolve of this.checkWaiters.splice(0)) resolve();
  }

  private route(client: Socket): void {
    this.clients.add(client);
    client.once('close', () => this.clients.delete(client));
    const candidates = this.endpoints.filter((endpoint) => endpoint.healthy && !endpoint.removed);
    const chosen = candidates[this.next++ % Math.max(candidates.length, 1)];
    if (!chosen) {
      this.counts.noBackend += 1;
      client.resetAndDestroy();
      return;
    }
    const index = this.endpoints.indexOf(chosen);
    this.counts.connectionsPerBackend[index] = (this.counts.connectionsPerBackend[index] ?? 0) + 1;
    const upstream = createConnection({ ...chosen.backend, allowHalfOpen: true });
    splice(client, upstream, () => {
      this.counts.backendErrors += 1;
    });
  }
}
