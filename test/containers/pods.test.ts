// The rendered dev and prod pods, started on the private engine from the YAML `cdk8s synth`
// writes, and checked as a kubelet would see them: probes as written, the db's first boot from
// its init ConfigMap, the password as a Secret file, non-root read-only containers, the front
// proxying to the api Service, and the db going away and coming back.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_UIDS } from '../../k8s/src/contract.ts';
import { createItem, itemNames } from '../support/items-http.ts';
import { PodCluster } from './pods/cluster.ts';
import { render, withOperatorSecret } from './pods/manifests.ts';
import type { Pod } from './pods/pod.ts';
import type { ProbePlan } from './pods/pod-spec.ts';
import { docker } from './support/engine.ts';
import { processStatus, processUids, rootIsReadOnly } from './support/inside.ts';
import { buildProjectImages } from './support/project-images.ts';
import { tierLeftOut, useTier } from './support/tier.ts';
import { GiveUp, waitFor } from './support/wait.ts';

const SEEDED_NAMES = ['Test A', 'Test B', 'Test C'];
/** The history a first boot ends with: postgrator's 0, the baseline (init.sql), 002. */
/** One dump of a few rows: seconds; the CronJob's own deadline is two hours. */
const BACKUP_WITHIN_MS = 120_000;
const FIRST_BOOT_HISTORY = ['0\tNULL', '1\tbaseline', '2\titems-updated-at'];
const MS_PER_SECOND = 1000;
const PROBE_STATE_POLL_MS = 250;
const tier = useTier();

/** The longest a probe may take to first pass and still be within its thresholds. */
function withinThresholdsMs(probe: ProbePlan): number {
  return (
    (probe.initialDelaySeconds +
      probe.failureThreshold * (probe.periodSeconds + probe.timeoutSeconds)) *
    MS_PER_SECOND
  );
}

async function failIfExited(container: string, where: string): Promise<void> {
  const state = (
    await docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', container])
  ).stdout.trim();
  if (!state.startsWith('exited')) return;
  const { stdout, stderr } = await docker(['logs', '--tail', '5', container]);
  throw new GiveUp(`${where} ${state}: ${(stderr || stdout).trim()}`);
}

async function waitReady(pod: Pod, ready = true, timeoutMs?: number): Promise<void> {
  for (const { plan, prober, id } of pod.containers) {
    const readiness = plan.probes.readiness;
    const bound =
      timeoutMs ??
      (plan.probes.startup ? withinThresholdsMs(plan.probes.startup) : 0) +
        (readiness ? withinThresholdsMs(readiness) : 0);
    await waitFor(
      `${pod.name}/${plan.name} ${ready ? 'ready' : 'not ready'}`,
      async () => {
        // A container that exited will not get ready: say why at once (a kubelet would
        // report CrashLoopBackOff) rather than when the thresholds run out.
        if (ready && !prober.ready) await failIfExited(id, `${pod.name}/${plan.name}`);
        return prober.ready;
      },
      (value) => value === ready,
      bound,
      PROBE_STATE_POLL_MS,
    );
  }
}

/** Each mount path as the container resolves it (/var/run is a link to /run), with its parents. */
async function mountPointsOf(container: string, paths: string[]): Promise<Set<string>> {
  const points = new Set<string>();
  for (const path of paths) {
    const resolved = (await docker(['exec', container, 'readlink', '-f', path])).stdout.trim();
    for (let at = resolved; at !== '/' && at !== ''; at = at.slice(0, at.lastIndexOf('/'))) {
      points.add(at);
    }
  }
  return points;
}

/** The migrations' history, read in the db container as the app user, from its own Secret file. */
async function historyRows(db: Pod): Promise<string[]> {
  const query = 'SELECT version, name FROM schema_history ORDER BY version';
  const { stdout } = await docker([
    'exec',
    db.container().id,
    'sh',
    '-c',
    `MYSQL_PWD="$(cat "$MYSQL_PASSWORD_FILE")" exec mysql -h 127.0.0.1 -u "$MYSQL_USER" --batch --skip-column-names -e "${query}" "$MYSQL_DATABASE"`,
  ]);
  return stdout.trim().split('\n');
}

async function startedAtOf(container: string): Promise<string> {
  return (await docker(['inspect', '--format', '{{.State.StartedAt}}', container])).stdout.trim();
}

describe.skipIf(tierLeftOut()).each([
  ['dev', 0],
  ['prod', 1],
] as const)('the rendered %s pods, run on the engine', (environment, slot) => {
  let cluster: PodCluster;
  let db: Pod;
  let apis: Pod[] = [];
  let fronts: Pod[] = [];
  const startedAt = new Map<string, string>();

  beforeAll(async () => {
    const { baseImages, imageTag } = tier.current();
    await buildProjectImages(baseImages);
    const rendered = withOperatorSecret(
      render(environment, {
        TRISTACK_IMAGE_TAG: imageTag,
        TRISTACK_MYSQL_IMAGE: baseImages.MYSQL_IMAGE.reference,
      }),
    );
    cluster = await PodCluster.create(rendered, slot);
    db = await cluster.startPod(cluster.plan('StatefulSet/db'));
    await waitReady(db);
    const apiPlan = cluster.plan('Deployment/api');
    // All at once, as a Deployment's first rollout starts them: their migrate init containers
    // race for the migrations' lock.
    const apisStarting = Date.now();
    apis = await Promise.all(
      Array.from({ length: apiPlan.replicas }, () => cluster.startPod(apiPlan)),
    );
    for (const api of apis) await waitReady(api);
    const since = (at: string) => `+${Date.parse(at) - apisStarting} ms`;
    for (const api of apis) {
      const [migrate] = api.initContainers;
      console.info(
        `${environment} ${api.name}: migrate ${since(migrate?.startedAt ?? '')} to ${since(migrate?.finishedAt ?? '')}, ` +
          `api started ${since(await startedAtOf(api.container().id))}, ready ${Date.now() - apisStarting} ms after the pods were created`,
      );
    }
    const frontPlan = cluster.plan('Deployment/front');
    fronts = await Promise.all(
      Array.from({ length: frontPlan.replicas }, () => cluster.startPod(frontPlan)),
    );
    for (const front of fronts) await waitReady(front);
    for (const pod of [...apis, ...fronts]) {
      startedAt.set(
        pod.name,
        (
          await docker(['inspect', '--format', '{{.State.StartedAt}}', pod.container().id])
        ).stdout.trim(),
      );
    }
  });

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('runs every workload at its rendered replica count, and each probe passes within its thresholds', async () => {
    expect(apis.length).toBe(cluster.plan('Deployment/api').replicas);
    expect(fronts.length).toBe(cluster.plan('Deployment/front').replicas);
    for (const pod of [db, ...apis, ...fronts]) {
      for (const { plan, prober } of pod.containers) {
        const where = `${pod.name}/${plan.name}`;
        expect(prober.restartWanted, `${where}: a kubelet would restart it`).toBeUndefined();
        for (const kind of ['startup', 'readiness', 'liveness'] as const) {
          const probe = plan.probes[kind];
          expect(probe, `${where} has a ${kind} probe`).toBeDefined();
          if (!probe) continue;
          const results = prober.results.filter((result) => result.kind === kind);
          const firstPass = results.findIndex((result) => result.ok);
          expect(
            firstPass,
            `${where}: ${kind} passed (${JSON.stringify(results.at(-1))})`,
          ).toBeGreaterThanOrEqual(0);
          expect(firstPass, `${where}: ${kind} failures before its first pass`).toBeLessThan(
            probe.failureThreshold,
          );
        }
      }
    }
  });

  it("runs each API pod's migrate init container to exit 0 before its api container starts: one applies 002, the others find it done", async () => {
    const logs: string[] = [];
    for (const api of apis) {
      const [migrate, ...others] = api.initContainers;
      expect(others).toEqual([]);
      if (!migrate) throw new Error(`${api.name}: no migrate init container ran`);
      expect(migrate.plan.command).toEqual(['node', 'dist/migrations/cli.js']);
      expect(migrate.exitCode, `${api.name}/migrate exit code`).toBe(0);
      const apiStarted = Date.parse(await startedAtOf(api.container().id));
      expect(apiStarted, `${api.name}: api started after migrate exited`).toBeGreaterThan(
        Date.parse(migrate.finishedAt),
      );
      const { stdout, stderr } = await docker(['logs', migrate.id]);
      expect(stderr, `${api.name}/migrate stderr`).toBe('');
      logs.push(stdout);
    }
    // On the db's first boot the entrypoint ran init.sql: the baseline is recorded, not run again.
    const applied = logs.filter((log) =>
      log.includes('applied db/migrations/002.do.items-updated-at.sql'),
    );
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatch(/recorded as the baseline \(version 1\), rows untouched/);
    expect(logs.filter((log) => /already at version 2: nothing to apply/.test(log))).toHaveLength(
      apis.length - 1,
    );
    expect(await historyRows(db)).toEqual(FIRST_BOOT_HISTORY);
    const items = (await (await fetch(`${cluster.serviceUrl('api', 8000)}/api/items`)).json()) as {
      updated_at: unknown;
    }[];
    expect(items.map((item) => item.updated_at)).toEqual([null, null, null]);
  });

  it("ran migrate as the image's uid 1000, read-only, no capabilities, no new privileges, with the mysql-password file only, writing nothing", async () => {
    for (const api of apis) {
      const [migrate] = api.initContainers;
      if (!migrate) throw new Error(`${api.name}: no migrate init container ran`);
      const { stdout } = await docker(['inspect', '--format', '{{json .}}', migrate.id]);
      const inspected = JSON.parse(stdout) as {
        Config: { User: string; Env: string[] };
        HostConfig: {
          ReadonlyRootfs: boolean;
          CapDrop: string[] | null;
          SecurityOpt: string[] | null;
        };
        Mounts: { Destination: string; Source: string }[];
      };
      expect(inspected.Config.User).toBe(`${RUNTIME_UIDS.api}:${RUNTIME_UIDS.api}`);
      expect(inspected.HostConfig.ReadonlyRootfs).toBe(true);
      expect(inspected.HostConfig.CapDrop).toContain('ALL');
      expect(inspected.HostConfig.SecurityOpt).toContain('no-new-privileges');
      expect(inspected.Mounts.map((mount) => mount.Destination)).toEqual([
        '/var/run/secrets/tristack',
      ]);
      expect(inspected.Config.Env.some((variable) => variable.startsWith('MYSQL_PASSWORD='))).toBe(
        false,
      );
      const secretVolume = migrate.plan.mounts[0]?.volume;
      const volume = api.plan.volumes.find((candidate) => candidate.name === secretVolume);
      expect(volume?.kind === 'files' && volume.files.map((file) => file.path)).toEqual([
        'mysql-password',
      ]);
      const changes = (await docker(['diff', migrate.id])).stdout.split('\n').filter(Boolean);
      const mountPoints = new Set([
        '/var',
        '/var/run',
        '/run',
        '/run/secrets',
        '/run/secrets/tristack',
        '/var/run/secrets',
        '/var/run/secrets/tristack',
      ]);
      expect(changes.filter((change) => !mountPoints.has(change.slice(2)))).toEqual([]);
    }
  });

  it('initialises the db from the db-init ConfigMap on an empty volume: Test A, Test B, Test C', async () => {
    const { stdout, stderr } = await docker(['logs', db.container().id]);
    expect(stdout + stderr).toMatch(/running \/docker-entrypoint-initdb\.d\/init\.sql/);
    expect(await itemNames(cluster.serviceUrl('api', 8000))).toEqual(SEEDED_NAMES);
  });

  it('gives the API its password as the mounted Secret file (mode 0440, group fsGroup), never as a variable', async () => {
    const api = apis[0] as Pod;
    const plan = api.container().plan;
    const env = new Map(plan.env);
    expect(env.has('MYSQL_PASSWORD')).toBe(false);
    const passwordFile = env.get('MYSQL_PASSWORD_FILE') ?? '';
    expect(passwordFile).not.toBe('');
    const { stdout } = await docker([
      'exec',
      api.container().id,
      'stat',
      '-L',
      '-c',
      '%a %u %g',
      passwordFile,
    ]);
    expect(stdout.trim()).toBe(`440 0 ${cluster.plan('Deployment/api').fsGroup}`);
    const environ = (await docker(['exec', api.container().id, 'cat', '/proc/1/environ'])).stdout;
    const password = (await docker(['exec', api.container().id, 'cat', passwordFile])).stdout;
    expect(password.length).toBeGreaterThan(0);
    expect(environ).not.toContain(password);
    expect(api.container().prober.ready).toBe(true);
  });

  it('runs nothing as root and writes nothing outside the emptyDirs and volumes', async () => {
    for (const pod of [db, ...apis, ...fronts]) {
      for (const { plan, id } of pod.containers) {
        const where = `${pod.name}/${plan.name}`;
        const uids = [...(await processUids(id)).values()];
        expect(uids.length, `${where}: processes`).toBeGreaterThan(0);
        expect(
          uids.filter((uid) => uid === 0),
          `${where}: processes as root`,
        ).toEqual([]);
        const status = await processStatus(id);
        expect(status.capEff, `${where}: effective capabilities`).toBe(0n);
        expect(status.noNewPrivs, `${where}: no new privileges`).toBe(true);
        expect(await rootIsReadOnly(id), `${where}: / is read-only`).toBe(true);
        // The container's own layer holds every write outside its mounts: it must stay empty,
        // but for the mount points the runtime made for the volumes (a kubelet's runtime too).
        const mountPoints = await mountPointsOf(
          id,
          plan.mounts.map((mount) => mount.mountPath),
        );
        const changes = (await docker(['diff', id])).stdout.split('\n').filter(Boolean);
        expect(
          changes.filter((change) => !mountPoints.has(change.slice(2))),
          `${where}: changes to its filesystem`,
        ).toEqual([]);
      }
    }
  });

  it('serves the page from the front as uid 82 with its root read-only, and proxies /api/ to the api Service', async () => {
    const frontUrl = cluster.serviceUrl('front', 8080);
    const page = await fetch(`${frontUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('src="script.js"');
    expect(await itemNames(frontUrl)).toEqual(SEEDED_NAMES);
    for (const front of fronts) {
      const uids = new Set((await processUids(front.container().id)).values());
      expect([...uids]).toEqual([RUNTIME_UIDS.front]);
      expect(await rootIsReadOnly(front.container().id)).toBe(true);
    }
  });

  it('fails the API readiness and keeps its liveness while the db is stopped; readiness returns with the db, no API restart', async () => {
    const dbContainer = db.container().id;
    const livenessFailuresBefore = apis.map(
      (api) =>
        api.container().prober.results.filter((result) => result.kind === 'liveness' && !result.ok)
          .length,
    );
    await docker(['stop', '--time', String(db.plan.terminationGracePeriodSeconds), dbContainer]);
    try {
      for (const api of apis) {
        const readiness = api.container().plan.probes.readiness as ProbePlan;
        await waitReady(
          api,
          false,
          withinThresholdsMs(readiness) + readiness.periodSeconds * MS_PER_SECOND,
        );
      }
      // Readiness has failed; liveness has had time for at least one more period.
      const liveness = apis[0]?.container().plan.probes.liveness as ProbePlan;
      await new Promise((resolve) => setTimeout(resolve, liveness.periodSeconds * MS_PER_SECOND));
    } finally {
      // The kubelet restarts a stopped container in place, in the same pod.
      await docker(['start', dbContainer]);
    }
    for (const [index, api] of apis.entries()) {
      const failures = api
        .container()
        .prober.results.filter((result) => result.kind === 'liveness' && !result.ok);
      expect(failures.length, `${api.name}: liveness failures while the db was away`).toBe(
        livenessFailuresBefore[index],
      );
      expect(api.container().prober.restartWanted).toBeUndefined();
    }
    await waitReady(db);
    for (const api of apis) await waitReady(api);
    for (const api of apis) {
      const state = (
        await docker([
          'inspect',
          '--format',
          '{{.State.StartedAt}} {{.RestartCount}}',
          api.container().id,
        ])
      ).stdout.trim();
      expect(state, `${api.name}: not restarted`).toBe(`${startedAt.get(api.name)} 0`);
    }
    expect(await itemNames(cluster.serviceUrl('api', 8000))).toEqual(SEEDED_NAMES);
  });

  it('keeps the db data when its container is replaced, and stops the db with exit 0 within its grace', async () => {
    await createItem(cluster.serviceUrl('api', 8000), `kept in ${environment}`);
    const exits = await cluster.deletePod(db);
    for (const exit of exits) {
      expect(exit.exitCode, `${exit.container} exit code`).toBe(0);
      expect(exit.tookMs).toBeLessThan(db.plan.terminationGracePeriodSeconds * MS_PER_SECOND);
    }
    db = await cluster.startPod(cluster.plan('StatefulSet/db'));
    await waitReady(db);
    const { stdout, stderr } = await docker(['logs', db.container().id]);
    expect(stdout + stderr, 'no second initialisation').not.toMatch(/Initializing database files/);
    for (const api of apis) await waitReady(api);
    expect(await itemNames(cluster.serviceUrl('api', 8000))).toEqual([
      ...SEEDED_NAMES,
      `kept in ${environment}`,
    ]);
  });

  // The CronJob is on in prod only; the controller's part (schedule, Forbid, history) is on paper.
  it.runIf(environment === 'prod')(
    "runs the db-backup CronJob's job template once: as uid 999, read-only, it exits 0 and leaves one 0600 dump of every row on its claim",
    async () => {
      const started = Date.now();
      const job = await cluster.startPod(cluster.plan('CronJob/db-backup'));
      const { id, plan } = job.container();
      const exitCode = Number(
        (await docker(['wait', id], { timeoutMs: BACKUP_WITHIN_MS })).stdout.trim(),
      );
      const { stdout, stderr } = await docker(['logs', id]);
      console.info(
        `prod db-backup: exited ${exitCode} ${Date.now() - started} ms after the pod was created`,
      );
      expect(exitCode, stderr).toBe(0);
      const { stdout: inspected } = await docker(['inspect', '--format', '{{json .}}', id]);
      const container = JSON.parse(inspected) as {
        Config: { User: string };
        HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null };
      };
      expect(container.Config.User).toBe(`${RUNTIME_UIDS.db}:${RUNTIME_UIDS.db}`);
      expect(container.HostConfig.ReadonlyRootfs).toBe(true);
      expect(container.HostConfig.CapDrop).toContain('ALL');
      expect(new Map(plan.env).get('MYSQL_PASSWORD')).toBeUndefined();

      const claim = plan.mounts.find((mount) => mount.mountPath === '/backups')?.volume ?? '';
      const volume = job.plan.volumes.find((candidate) => candidate.name === claim);
      expect(volume).toMatchObject({ kind: 'claim', claimName: 'db-backup', perPod: false });
      const mountpoint = (
        await docker([
          'volume',
          'inspect',
          '--format',
          '{{.Mountpoint}}',
          `${cluster.name}_db-backup`,
        ])
      ).stdout.trim();
      const files = await readdir(mountpoint);
      expect(files).toEqual([expect.stringMatching(/^tristack-\d{8}T\d{6}Z\.sql\.gz$/)]);
      const file = join(mountpoint, files[0] ?? '');
      const info = await stat(file);
      expect([info.mode & 0o777, info.uid]).toEqual([0o600, RUNTIME_UIDS.db]);
      expect(stdout).toContain(`backup: wrote /backups/${files[0]}`);
      const dump = gunzipSync(await readFile(file)).toString();
      expect(dump.trimEnd().split('\n').at(-1)).toMatch(/^-- Dump completed/);
      for (const name of [...SEEDED_NAMES, `kept in ${environment}`])
        expect(dump).toContain(`'${name}'`);
      expect(dump).toContain('CREATE TABLE `schema_history`');
      await cluster.deletePod(job);
    },
  );
});
