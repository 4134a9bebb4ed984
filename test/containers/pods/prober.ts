// The kubelet's prober for one container: the startup probe first, then readiness and liveness,
// each on its own period, with its timeout and thresholds, as written in the pod spec. exec
// probes run inside the container; httpGet and tcpSocket go from the node (this host) to the
// pod's address. It records what a kubelet would act on; the tests decide what to do with it.
import { request } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker } from '../support/engine.ts';
import type { ProbePlan } from './pod-spec.ts';

const MS_PER_SECOND = 1000;
const HTTP_SUCCESS_MIN = 200;
const HTTP_SUCCESS_MAX = 399;

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeResult {
  kind: ProbeKind;
  ok: boolean;
  /** Milliseconds since the prober started. */
  atMs: number;
  detail: string;
}

export interface ProbeTarget {
  container: string;
  /** The pod's address, for httpGet and tcpSocket. */
  address: () => string;
}

/** One probe attempt: true when it succeeds within its timeout. */
export async function runProbe(
  probe: ProbePlan,
  target: ProbeTarget,
): Promise<{ ok: boolean; detail: string }> {
  const timeoutMs = probe.timeoutSeconds * MS_PER_SECOND;
  const action = probe.action;
  if ('exec' in action) {
    try {
      await docker(['exec', target.container, ...action.exec], { timeoutMs });
      return { ok: true, detail: 'exit 0' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message.split('\n')[0] ?? 'failed' };
    }
  }
  if ('httpGet' in action) {
    return new Promise((resolve) => {
      const req = request({
        host: target.address(),
        port: action.httpGet.port,
        path: action.httpGet.path,
        headers: Object.fromEntries(action.httpGet.headers),
        agent: false,
        timeout: timeoutMs,
      });
      req.on('response', (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({
          ok: status >= HTTP_SUCCESS_MIN && status <= HTTP_SUCCESS_MAX,
          detail: `HTTP ${status}`,
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => resolve({ ok: false, detail: error.message }));
      req.end();
    });
  }
  return new Promise((resolve) => {
    const socket = connect({
      host: target.address(),
      port: action.tcpSocket.port,
      timeout: timeoutMs,
    });
    socket.on('connect', () => {
      socket.destroy();
      resolve({ ok: true, detail: 'connected' });
    });
    socket.on('timeout', () => socket.destroy(new Error('timeout')));
    socket.on('error', (error) => resolve({ ok: false, detail: error.message }));
  });
}

/** Runs a container's probes until stopped, with the kubelet's rules for starting and thresholds. */
export class Prober {
  readonly results: ProbeResult[] = [];
  started = false;
  ready = false;
  /** Set when startup or liveness reached its failure threshold: a kubelet would restart it. */
  restartWanted: string | undefined;
  private running = true;
  private readonly startedAt = performance.now();
  private readonly loops: Promise<void>[] = [];
  private readonly listeners: ((ready: boolean) => void)[] = [];

  constructor(
    private readonly probes: { startup?: ProbePlan; readiness?: ProbePlan; liveness?: ProbePlan },
    private readonly target: ProbeTarget,
  ) {
    this.loops.push(this.run());
  }

  /** Called with the new readiness whenever it changes (the endpoints controller listens). */
  onReadinessChange(listener: (ready: boolean) => void): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async run(): Promise<void> {
    const { startup, readiness, liveness } = this.probes;
    if (startup) {
      const passed = await this.loop('startup', startup, () => this.started);
      if (!passed) return;
    }
    this.started = true;
    const loops = [];
    if (readiness) loops.push(this.loop('readiness', readiness, () => false));
    else this.setReady(true);
    if (liveness) loops.push(this.loop('liveness', liveness, () => false));
    await Promise.all(loops);
  }

  /** One probe's loop; the startup loop ends at its first success. Resolves false on give-up. */
  private async loop(kind: ProbeKind, probe: ProbePlan, done: () => boolean): Promise<boolean> {
    await this.pause(probe.initialDelaySeconds * MS_PER_SECOND);
    let successes = 0;
    let failures = 0;
    while (this.running && !done()) {
      const attemptStarted = performance.now();
      const { ok, detail } = await runProbe(probe, this.target);
      if (!this.running) break;
      this.results.push({ kind, ok, atMs: performance.now() - this.startedAt, detail });
      successes = ok ? successes + 1 : 0;
      failures = ok ? 0 : failures + 1;
      if (kind === 'startup' && ok) return true;
      if (kind === 'readiness') {
        if (successes >= probe.successThreshold) this.setReady(true);
        if (failures >= probe.failureThreshold) this.setReady(false);
      }
      if (kind !== 'readiness' && failures >= probe.failureThreshold) {
        this.restartWanted ??= `${kind} probe failed ${failures} times (last: ${detail})`;
        if (kind === 'startup') return false;
      }
      await this.pause(probe.periodSeconds * MS_PER_SECOND - (performance.now() - attemptStarted));
    }
    return this.running;
  }

  private setReady(ready: boolean): void {
    if (this.ready === ready) return;
    this.ready = ready;
    for (const listener of this.listeners) listener(ready);
  }

  private async pause(ms: number): Promise<void> {
    const until = performance.now() + Math.max(ms, 0);
    while (this.running && performance.now() < until)
      await sleep(Math.min(100, until - performance.now()));
  }
}
