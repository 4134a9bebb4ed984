// The pod harness's translation on its own (no engine): it reads every field the chart renders,
// refuses any other with its path, and resolves what a kubelet resolves.
import { lstat, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFsGroup, writeProjectedVolume } from './pods/kubelet-volumes.ts';
import { findObject, type Rendered, render, withOperatorSecret } from './pods/manifests.ts';
import { expand, podPlan } from './pods/pod-spec.ts';

const WORKLOADS = ['StatefulSet/db', 'Deployment/api', 'Deployment/front'];

function broken(environment: string, change: (rendered: Rendered) => void): Rendered {
  const rendered = render(environment);
  change(rendered);
  return rendered;
}

describe('the pod harness reading the rendered pods', () => {
  it.each(['dev', 'prod'])('reads every field of the %s workloads', (environment) => {
    const rendered = withOperatorSecret(render(environment));
    for (const workload of WORKLOADS) expect(() => podPlan(rendered, workload)).not.toThrow();
  });

  it('reads every field of the prod backup CronJob: its job template pod, its named claim', () => {
    const plan = podPlan(withOperatorSecret(render('prod')), 'CronJob/db-backup');
    expect(plan.replicas).toBe(1);
    expect(plan.containers.map((container) => container.probes)).toEqual([{}]);
    expect(plan.volumes.find((volume) => volume.kind === 'claim')).toEqual({
      kind: 'claim',
      name: 'backups',
      claimName: 'db-backup',
      perPod: false,
    });
  });

  it.each([
    [
      'a container field',
      (r: Rendered) =>
        (findObject(r, 'Deployment', 'api').spec.template.spec.containers[0].stdin = true),
      /Deployment\/api: spec\.template\.spec\.containers\[0\]\.stdin: the pod harness does not know this field/,
    ],
    [
      'a pod field',
      (r: Rendered) => (findObject(r, 'Deployment', 'front').spec.template.spec.hostNetwork = true),
      /Deployment\/front: spec\.template\.spec\.hostNetwork/,
    ],
    [
      'a volume source',
      (r: Rendered) =>
        findObject(r, 'StatefulSet', 'db').spec.template.spec.volumes.push({
          name: 'host',
          hostPath: { path: '/' },
        }),
      /volumes\[4\]\.hostPath/,
    ],
    [
      'a probe field',
      (r: Rendered) =>
        (findObject(r, 'Deployment', 'api').spec.template.spec.containers[0].readinessProbe.grpc = {
          port: 9000,
        }),
      /readinessProbe\.grpc/,
    ],
    [
      'a mounted API token',
      (r: Rendered) =>
        (findObject(r, 'Deployment', 'api').spec.template.spec.automountServiceAccountToken = true),
      /automountServiceAccountToken: a mounted API token cannot be modelled/,
    ],
    [
      'a probe on an init container',
      (r: Rendered) =>
        (findObject(r, 'Deployment', 'api').spec.template.spec.initContainers[0].readinessProbe = {
          tcpSocket: { port: 8000 },
        }),
      /initContainers\[0\]\.readinessProbe: an init container has none/,
    ],
    [
      'a sidecar (an init container that keeps running)',
      (r: Rendered) =>
        (findObject(r, 'Deployment', 'api').spec.template.spec.initContainers[0].restartPolicy =
          'Always'),
      /initContainers\[0\]\.restartPolicy: the pod harness does not know this field/,
    ],
    [
      'a pull policy needing a registry',
      (r: Rendered) =>
        (findObject(r, 'Deployment', 'api').spec.template.spec.containers[0].imagePullPolicy =
          'Always'),
      /imagePullPolicy: "Always" cannot be modelled/,
    ],
  ])('refuses %s it cannot run, naming its path', (_what, change, message) => {
    const rendered = broken('dev', change);
    expect(() => {
      for (const workload of WORKLOADS) podPlan(rendered, workload);
    }).toThrow(message);
  });

  it("gives the API its environment from the ConfigMap, the password only as the Secret's file", () => {
    const plan = podPlan(render('dev'), 'Deployment/api');
    const env = new Map(plan.containers[0]?.env);
    expect(env.get('MYSQL_HOST')).toBe('db');
    expect(env.has('MYSQL_PASSWORD')).toBe(false);
    const mount = plan.containers[0]?.mounts.find((m) =>
      (env.get('MYSQL_PASSWORD_FILE') ?? '').startsWith(`${m.mountPath}/`),
    );
    const volume = plan.volumes.find((v) => v.name === mount?.volume);
    expect(volume).toMatchObject({ kind: 'files', source: 'Secret/db-credentials' });
    expect(volume?.kind === 'files' && volume.files.map((file) => [file.path, file.mode])).toEqual([
      ['mysql-password', 0o440],
    ]);
  });

  it("runs the API pod's migrate init container before the api, with the api's database settings and its password file", () => {
    const plan = podPlan(render('dev'), 'Deployment/api');
    expect(plan.initContainers.map((container) => container.name)).toEqual(['migrate']);
    const [migrate] = plan.initContainers;
    const api = new Map(plan.containers[0]?.env);
    const env = new Map(migrate?.env);
    expect([...env.keys()].sort()).toEqual([
      'MYSQL_DATABASE',
      'MYSQL_HOST',
      'MYSQL_PASSWORD_FILE',
      'MYSQL_PORT',
      'MYSQL_TIMEOUT_MS',
      'MYSQL_USER',
    ]);
    for (const [name, value] of env) expect(value, name).toBe(api.get(name));
    expect(migrate?.image).toBe(plan.containers[0]?.image);
    expect(migrate?.probes).toEqual({});
    expect(migrate?.mounts.map((mount) => [mount.volume, mount.readOnly])).toEqual([
      ['credentials', true],
    ]);
  });

  it('expands $(VAR) as the kubelet does: defined names replaced, $$ kept as $, unknown left as is', () => {
    const values = new Map([['HOST', 'db']]);
    expect(expand('mysql://$(HOST):3306', values)).toBe('mysql://db:3306');
    expect(expand('$$(HOST) $(NOPE)', values)).toBe('$(HOST) $(NOPE)');
  });
});

describe("the kubelet's volume layout", () => {
  it('lays out Secret files behind ..data, and fsGroup makes them group-readable as pkg/volume does', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tristack-volume-'));
    try {
      await writeProjectedVolume(
        folder,
        [{ path: 'mysql-password', content: Buffer.from('x'), mode: 0o400 }],
        1000,
      );
      expect(await readlink(join(folder, 'mysql-password'))).toBe('..data/mysql-password');
      const file = await lstat(join(folder, '..data', 'mysql-password'));
      // 0400 | the read-only group bits: the kubelet makes a Secret readable by the fsGroup.
      expect([file.mode & 0o7777, file.uid, file.gid]).toEqual([0o440, 0, 1000]);
      const payload = await lstat(join(folder, await readlink(join(folder, '..data'))));
      expect(payload.mode & 0o2000).toBe(0o2000);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('gives a claim the fsGroup with group read and write, setgid on folders', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'tristack-claim-'));
    try {
      await applyFsGroup(folder, 999, 0o660);
      const root = await lstat(folder);
      expect([root.gid, root.mode & 0o2770]).toEqual([999, 0o2770]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
