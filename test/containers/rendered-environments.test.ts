// Every environment the chart renders starts: the API container of dev, prod and a set of
// accepted TRISTACK_* overrides, started from the rendered pod spec, passes the API's own
// configuration check. A value the API would refuse stops synthesis, naming the TRISTACK_*
// variable; the same value forced past synthesis shows why: the API refuses it and exits. The
// migrate init container accepts each configuration too, and stops at the missing database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackConfigError } from '../../k8s/src/config.ts';
import { PodCluster } from './pods/cluster.ts';
import { findObject, render, withOperatorSecret } from './pods/manifests.ts';
import type { PodPlan } from './pods/pod-spec.ts';
import { docker } from './support/engine.ts';
import { buildProjectImages } from './support/project-images.ts';
import { tierLeftOut, useTier } from './support/tier.ts';
import { waitFor } from './support/wait.ts';

/** Slots of their own among the tier's pod clusters. */
const FIRST_SLOT = 3;
const STARTED_WITHIN_MS = 60_000;
/** The API's exit code for a configuration it refuses (api/src/main.ts). */
const CONFIG_REFUSED_EXIT_CODE = 2;

const VARIANTS: { name: string; environment: string; overrides: Record<string, string> }[] = [
  { name: 'dev, defaults', environment: 'dev', overrides: {} },
  { name: 'prod, defaults', environment: 'prod', overrides: {} },
  {
    name: 'prod with overrides',
    environment: 'prod',
    overrides: {
      TRISTACK_NAMESPACE: 'items',
      TRISTACK_LOG_LEVEL: 'debug',
      TRISTACK_CORS_ORIGINS: 'https://items.example.com, https://admin.example.com:8443',
      TRISTACK_INGRESS_HOST: 'items.example.com',
      TRISTACK_EXTERNAL_MYSQL_HOST: 'mysql.example.internal',
      TRISTACK_EXTERNAL_MYSQL_PORT: '3307',
    },
  },
];

const tier = useTier();

/** The pod without its init containers: the migrations need the database, which these lack. */
function withoutInitContainers(plan: PodPlan): PodPlan {
  return { ...plan, initContainers: [] };
}

interface StartedLine {
  event?: string;
  corsOrigins?: string[];
  mysql?: { host: string; port: number };
}

describe.skipIf(tierLeftOut())('the API started with every rendered environment', () => {
  const clusters: PodCluster[] = [];

  beforeAll(async () => {
    await buildProjectImages(tier.current().baseImages);
  });

  afterAll(async () => {
    for (const cluster of clusters) await cluster.destroy();
  });

  function rendered(environment: string, overrides: Record<string, string>) {
    const { baseImages, imageTag } = tier.current();
    // With an external MySQL the chart has no db image, and refuses one.
    const database: Record<string, string> = overrides.TRISTACK_EXTERNAL_MYSQL_HOST
      ? {}
      : { TRISTACK_MYSQL_IMAGE: baseImages.MYSQL_IMAGE.reference };
    return withOperatorSecret(
      render(environment, { ...overrides, ...database, TRISTACK_IMAGE_TAG: imageTag }),
    );
  }

  it.each(VARIANTS.map((variant, index) => ({ ...variant, slot: FIRST_SLOT + index })))(
    '$name: the API accepts its rendered configuration and starts',
    async ({ environment, overrides, slot }) => {
      const cluster = await PodCluster.create(rendered(environment, overrides), slot);
      clusters.push(cluster);
      const configMap = findObject(cluster.rendered, 'ConfigMap', 'api-config');
      const { MYSQL_DATABASE, MYSQL_HOST, MYSQL_PORT } = configMap.data;
      const plan = cluster.plan('Deployment/api');
      // No database runs here. The migrate init container accepts the rendered configuration
      // (exit 1, the database unreachable, not 2, a bad setting) and stops the pod's start, where
      // a kubelet would keep it in Init:CrashLoopBackOff.
      await expect(cluster.startPod(plan)).rejects.toThrow(
        `migrate (init) exited 1, so the pod's containers never start: db:migrate: cannot connect to database ${MYSQL_DATABASE} on ${MYSQL_HOST}:${MYSQL_PORT}`,
      );
      // The API's own check, on the same pod without it (pods.test.ts runs both against a db).
      const api = await cluster.startPod(withoutInitContainers(plan));
      const { prober, id } = api.container();
      await waitFor(
        'the startup probe',
        async () => prober.started,
        Boolean,
        STARTED_WITHIN_MS,
        100,
      );
      const { stdout } = await docker(['logs', id]);
      const started = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as StartedLine)
        .find((line) => line.event === 'api.started');
      expect(started?.corsOrigins?.join(',')).toBe(configMap.data.CORS_ORIGINS.replace(/\s+/g, ''));
      expect(started?.mysql).toMatchObject({
        host: configMap.data.MYSQL_HOST,
        port: Number(configMap.data.MYSQL_PORT),
      });
      expect((await docker(['inspect', '--format', '{{.State.Running}}', id])).stdout.trim()).toBe(
        'true',
      );
    },
  );

  it('refuses at synth a value the API would refuse, naming the TRISTACK_* variable; forced past synth, the API exits on it', async () => {
    expect(() => rendered('dev', { TRISTACK_CORS_ORIGINS: 'example.com' })).toThrow(
      StackConfigError,
    );
    expect(() => rendered('dev', { TRISTACK_CORS_ORIGINS: 'example.com' })).toThrow(
      /TRISTACK_CORS_ORIGINS="example\.com"/,
    );

    // What a pod would do with the value: the rendered pod, its ConfigMap given that value.
    const forced = rendered('dev', {});
    findObject(forced, 'ConfigMap', 'api-config').data.CORS_ORIGINS = 'example.com';
    const cluster = await PodCluster.create(forced, FIRST_SLOT + VARIANTS.length);
    clusters.push(cluster);
    const api = await cluster.startPod(withoutInitContainers(cluster.plan('Deployment/api')));
    const { id } = api.container();
    const exit = await waitFor(
      'the API to exit',
      async () =>
        (
          await docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', id])
        ).stdout.trim(),
      (state) => state.startsWith('exited'),
      STARTED_WITHIN_MS,
    );
    expect(exit).toBe(`exited ${CONFIG_REFUSED_EXIT_CODE}`);
    const { stderr } = await docker(['logs', id]);
    expect(stderr).toMatch(/invalid configuration: CORS_ORIGINS/);
  });
});
