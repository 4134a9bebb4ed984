// A rolling restart of the rendered API pods under steady reads and writes: not one request whose
// connection was accepted may fail, and every acknowledged write must be in the table after.
// Once the Kubernetes way (a surge pod, then the old pod's endpoints removed while its preStop
// pause runs, then SIGTERM), once with no preStop at all (a plain `docker stop`, as Compose does)
// behind a balancer that only learns from /status.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, LoadBalancer } from '../../api/test/support/load-balancer.ts';
import { type LoadOptions, startLoad, tally } from '../../api/test/support/steady-load.ts';
import { PodCluster } from './pods/cluster.ts';
import { render } from './pods/manifests.ts';
import type { Pod } from './pods/pod.ts';
import { secretData } from './pods/pod-spec.ts';
import { docker } from './support/engine.ts';
import { buildProjectImages } from './support/project-images.ts';
import { tierLeftOut, useTier } from './support/tier.ts';
import { waitFor } from './support/wait.ts';

/** A slot of its own among the tier's pod clusters (pods.test.ts uses 0 and 1). */
const CLUSTER_SLOT = 2;
const LOAD_BEFORE_STOP_MS = 2000;
/** Load goes on after the old pod is gone, so the last clients to move are seen to succeed. */
const LOAD_AFTER_EXIT_MS = 1000;
const READY_WITHIN_MS = 90_000;
/** Enough requests during the stop that every client crossed it several times. */
const MIN_REQUESTS_DURING_STOP = 500;
const MS_PER_SECOND = 1000;
/**
 * Public clients reaching the API through an Ingress, each paced: the rendered rate limit
 * (RATE_LIMIT_PER_MINUTE, per client address) stays on, and these clients stay well under it.
 */
const LOAD: LoadOptions = {
  forwardedFor: (client) => `203.0.113.${client + 1}`,
  requestsPerSecond: 20,
};

const tier = useTier();

async function waitReady(pod: Pod): Promise<void> {
  await waitFor(
    `${pod.name} ready`,
    async () => pod.containers.every((c) => c.prober.ready),
    Boolean,
    READY_WITHIN_MS,
    100,
  );
}

describe.skipIf(tierLeftOut())('a rolling restart of the rendered API pods, under load', () => {
  let cluster: PodCluster;
  let db: Pod;

  beforeAll(async () => {
    const { baseImages, imageTag } = tier.current();
    await buildProjectImages(baseImages);
    cluster = await PodCluster.create(
      render('dev', {
        TRISTACK_IMAGE_TAG: imageTag,
        TRISTACK_MYSQL_IMAGE: baseImages.MYSQL_IMAGE.reference,
      }),
      CLUSTER_SLOT,
    );
    db = await cluster.startPod(cluster.plan('StatefulSet/db'));
    await waitReady(db);
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  /** The ids of every row in the items table, read in the db pod as the app user. */
  async function storedIds(): Promise<Set<number>> {
    const plan = cluster.plan('StatefulSet/db');
    const env = new Map(plan.containers[0]?.env);
    const password =
      secretData(cluster.rendered, 'db-credentials')['mysql-password']?.toString() ?? '';
    const { stdout } = await docker([
      'exec',
      '--env',
      `MYSQL_PWD=${password}`,
      db.container().id,
      'mysql',
      '--user',
      env.get('MYSQL_USER') ?? '',
      '--batch',
      '--skip-column-names',
      '--execute',
      'SELECT id FROM items',
      env.get('MYSQL_DATABASE') ?? '',
    ]);
    return new Set(stdout.split('\n').filter(Boolean).map(Number));
  }

  async function startApiPods(count: number): Promise<Pod[]> {
    const plan = cluster.plan('Deployment/api');
    const pods = await Promise.all(Array.from({ length: count }, () => cluster.startPod(plan)));
    for (const pod of pods) await waitReady(pod);
    return pods;
  }

  async function checkOutcome(
    label: string,
    outcomes: ReturnType<typeof startLoad>['outcomes'],
    afterSignal: number,
  ) {
    const { failed, toldToClose, createdIds } = tally(outcomes);
    console.info(
      `${label}: ${outcomes.length} requests (${outcomes.length - afterSignal} after the stop began), ` +
        `${failed.length} failed, ${toldToClose} keep-alive answers with Connection: close, ${createdIds.length} writes`,
    );
    expect({ failed: failed.length, first: failed.slice(0, 3) }).toEqual({ failed: 0, first: [] });
    expect(outcomes.length - afterSignal).toBeGreaterThan(MIN_REQUESTS_DURING_STOP);
    const stored = await storedIds();
    expect(createdIds.length).toBeGreaterThan(0);
    expect(createdIds.filter((id) => !stored.has(id))).toEqual([]);
  }

  it('the Kubernetes way (surge, endpoints removed during preStop, SIGTERM): no request fails, every write kept', async () => {
    const [old, kept] = await startApiPods(2);
    if (!old || !kept) throw new Error('two API pods expected');
    const load = startLoad(cluster.serviceUrl('api', 8000), LOAD);
    try {
      await sleep(LOAD_BEFORE_STOP_MS);
      // maxSurge 1, maxUnavailable 0: the new pod is ready before the old one goes.
      const [surge] = await startApiPods(1);
      const afterSignal = load.outcomes.length;
      const [exit] = await cluster.deletePod(old);
      console.info(
        `old pod ${old.name}: exit ${exit?.exitCode} after ${Math.round(exit?.tookMs ?? 0)} ms (preStop, delay, drain)`,
      );
      expect(exit?.exitCode).toBe(0);
      expect(exit?.tookMs).toBeLessThan(old.plan.terminationGracePeriodSeconds * MS_PER_SECOND);
      await sleep(LOAD_AFTER_EXIT_MS);
      await load.stop();
      await checkOutcome('Kubernetes way', load.outcomes, afterSignal);
      for (const pod of [kept, surge])
        if (pod) await cluster.deletePod(pod, { withPreStop: false });
    } finally {
      await load.stop();
    }
  });

  it('with no preStop (a plain docker stop) behind a balancer checking /status: no request fails, every write kept', async () => {
    const pods = await startApiPods(2);
    const [stopping] = pods;
    if (!stopping) throw new Error('two API pods expected');
    const backends: Backend[] = [];
    for (const pod of pods) backends.push({ host: await pod.address(), port: 8000 });
    const balancer = await LoadBalancer.start(backends);
    const load = startLoad(balancer.url, LOAD);
    try {
      await sleep(LOAD_BEFORE_STOP_MS);
      // Just after a health check, so the balancer goes on sending there for a whole interval.
      await balancer.afterNextCheck();
      const afterSignal = load.outcomes.length;
      const [exit] = await stopping.terminate(false);
      console.info(
        `stopped pod ${stopping.name}: exit ${exit?.exitCode} after ${Math.round(exit?.tookMs ?? 0)} ms (delay, drain)`,
      );
      expect(exit?.exitCode).toBe(0);
      await sleep(LOAD_AFTER_EXIT_MS);
      await load.stop();
      expect(balancer.stats.backendErrors + balancer.stats.noBackend).toBe(0);
      await checkOutcome('plain docker stop', load.outcomes, afterSignal);
    } finally {
      await load.stop();
      await balancer.stop();
      for (const pod of pods) await pod.remove();
    }
  });
});
