// The backup CronJob: off unless enabled, the script shipped from db/backup, and restricted like
// every other pod; its claim, and the NetworkPolicies that let it reach the db and nothing else.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildManifests } from '../src/app.ts';
import { BACKUP_SCRIPT_FILE } from '../src/backup.ts';
import { resolveStackConfig } from '../src/overrides.ts';
import { find, type Json, VARIANTS } from './fixtures.ts';
import type { K8sObject } from './invariants.ts';

const dev = VARIANTS.dev ?? [];
const prod = VARIANTS.prod ?? [];
const external = VARIANTS['prod with an external MySQL'] ?? [];
const custom = VARIANTS['dev with every override'] ?? [];
const BACKUP_OBJECTS = [
  'ConfigMap/db-backup-script',
  'PersistentVolumeClaim/db-backup',
  'ServiceAccount/db-backup',
  'CronJob/db-backup',
  'NetworkPolicy/db-backup',
];

const named = (objects: K8sObject[]) =>
  objects.map((item) => `${item.kind}/${item.metadata?.name}`);
const cronJob = (objects: K8sObject[]): Json => find(objects, 'CronJob', 'db-backup');
const podSpec = (objects: K8sObject[]): Json =>
  cronJob(objects).spec.jobTemplate.spec.template.spec;
const env = (objects: K8sObject[]) =>
  Object.fromEntries(
    podSpec(objects).containers[0].env.map((item: Json) => [item.name, item.value]),
  );

describe('the backup CronJob', () => {
  it('is on in prod (nightly, seven dumps kept), off in dev and with an external MySQL', () => {
    expect(named(prod)).toEqual(expect.arrayContaining(BACKUP_OBJECTS));
    expect(cronJob(prod).spec.schedule).toBe('17 3 * * *');
    expect(env(prod).BACKUP_KEEP).toBe('7');
    for (const objects of [dev, external]) {
      expect(named(objects).filter((name) => name.includes('backup'))).toEqual([]);
    }
  });

  it('follows TRISTACK_BACKUP_SCHEDULE and TRISTACK_BACKUP_KEEP, and "off" removes it', () => {
    expect(cronJob(custom).spec.schedule).toBe('*/30 1-5 * * 1-5');
    expect(env(custom).BACKUP_KEEP).toBe('30');
    const off = buildManifests('prod', { TRISTACK_BACKUP_SCHEDULE: 'off' }) as K8sObject[];
    expect(named(off).filter((name) => name.includes('backup'))).toEqual([]);
  });

  it('never overlaps, skips a run missed by over an hour, and keeps a short history', () => {
    const spec = cronJob(prod).spec;
    expect(spec).toMatchObject({
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      suspend: false,
    });
    expect(spec.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 7200 });
  });

  it('runs db/backup/compose-backup.sh, read at synth time, with bash in the db image', () => {
    const script = find(prod, 'ConfigMap', 'db-backup-script') as Json;
    expect(script.data['backup.sh']).toBe(readFileSync(BACKUP_SCRIPT_FILE, 'utf8'));
    const container = podSpec(prod).containers[0];
    expect(container.image).toBe(
      (find(prod, 'StatefulSet', 'db') as Json).spec.template.spec.containers[0].image,
    );
    expect(container.command).toEqual(['bash', '/opt/tristack/backup.sh']);
    expect(env(prod)).toEqual({
      MYSQL_HOST: 'db',
      MYSQL_PORT: '3306',
      MYSQL_DATABASE: 'tristack',
      MYSQL_USER: 'tristack',
      MYSQL_PASSWORD_FILE: '/var/run/secrets/tristack/mysql-password',
      BACKUP_DIR: '/backups',
      BACKUP_KEEP: '7',
    });
  });

  it("runs as the mysql image's uid 999, fsGroup 999 for its claim, read-only but /tmp and the claim, no token", () => {
    const spec = podSpec(prod);
    expect(spec.securityContext).toMatchObject({
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.restartPolicy).toBe('Never');
    const container = spec.containers[0];
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const volumes = new Map(spec.volumes.map((volume: Json) => [volume.name, volume]));
    const writable = container.volumeMounts
      .filter((mount: Json) => mount.readOnly !== true)
      .map((mount: Json) => [mount.mountPath, Object.keys(volumes.get(mount.name) as Json)]);
    expect(writable).toEqual([
      ['/backups', ['name', 'persistentVolumeClaim']],
      ['/tmp', ['emptyDir', 'name']],
    ]);
    const credentials = volumes.get('credentials') as Json;
    expect(credentials.secret.items).toEqual([{ key: 'mysql-password', path: 'mysql-password' }]);
  });

  it('dumps to a claim of its own, sized per environment, on the database StorageClass', () => {
    const claim = (objects: K8sObject[]) =>
      find(objects, 'PersistentVolumeClaim', 'db-backup') as Json;
    expect(claim(prod).spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '20Gi' } },
    });
    expect(claim(prod).spec.storageClassName).toBeUndefined();
    expect(claim(custom).spec).toMatchObject({
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'fast-ssd',
    });
    expect(podSpec(prod).volumes.find((volume: Json) => volume.name === 'backups')).toMatchObject({
      persistentVolumeClaim: { claimName: 'db-backup' },
    });
  });

  it('is neither a db endpoint nor under the db policy: its pods carry a component of their own', () => {
    const labels = cronJob(prod).spec.jobTemplate.spec.template.metadata.labels;
    expect(labels['app.kubernetes.io/component']).toBe('db-backup');
    const dbSelector = (find(prod, 'Service', 'db') as Json).spec.selector;
    expect(Object.entries(dbSelector).every(([key, value]) => labels[key] === value)).toBe(false);
  });

  it('reaches only the db on 3306 (plus DNS), and the db lets it in', () => {
    const policy = (name: string) => (find(prod, 'NetworkPolicy', name) as Json).spec;
    const backup = policy('db-backup');
    expect(backup.podSelector.matchLabels['app.kubernetes.io/component']).toBe('db-backup');
    expect([...backup.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(backup.ingress).toBeUndefined();
    // Exactly the API's way out: the db pods, on 3306.
    expect(backup.egress).toEqual(policy('api').egress);
    expect(backup.egress[0].ports).toEqual([{ protocol: 'TCP', port: 3306 }]);
    const sources = policy('db').ingress.map(
      (rule: Json) => rule.from[0].podSelector.matchLabels['app.kubernetes.io/component'],
    );
    expect(sources).toEqual(['api', 'db-backup']);
    expect((find(dev, 'NetworkPolicy', 'db') as Json).spec.ingress).toHaveLength(1);
  });
});

describe('the backup settings', () => {
  it.each([
    ['60 3 * * *', 'a minute past 59'],
    ['0 3 * *', 'four fields'],
    ['@daily', 'a macro'],
    ['0 3 * * MON', 'a day name'],
    ['5-1 * * * *', 'a backward range'],
    ['*/0 * * * *', 'a zero step'],
  ])('refuses the schedule "%s" (%s), naming the variable', (schedule) => {
    expect(() => resolveStackConfig('prod', { TRISTACK_BACKUP_SCHEDULE: schedule })).toThrow(
      `TRISTACK_BACKUP_SCHEDULE="${schedule}" must be "off" or a five-field cron schedule`,
    );
  });

  it.each(['-1', '1001', '7d', '2.5'])('refuses TRISTACK_BACKUP_KEEP="%s"', (keep) => {
    expect(() => resolveStackConfig('prod', { TRISTACK_BACKUP_KEEP: keep })).toThrow(
      `TRISTACK_BACKUP_KEEP="${keep}" must be a whole number from 0 (keep every dump) to 1000`,
    );
  });

  it('refuses a backup setting with an external MySQL, which has backups of its own', () => {
    expect(() =>
      resolveStackConfig('prod', {
        TRISTACK_EXTERNAL_MYSQL_HOST: 'mysql.example.internal',
        TRISTACK_BACKUP_SCHEDULE: '0 3 * * *',
      }),
    ).toThrow('TRISTACK_BACKUP_SCHEDULE has no effect with TRISTACK_EXTERNAL_MYSQL_HOST');
  });

  it('turns the dev CronJob on with a schedule, and keeps 0 as "every dump"', () => {
    const config = resolveStackConfig('dev', {
      TRISTACK_BACKUP_SCHEDULE: ' 0  4 * * 0 ',
      TRISTACK_BACKUP_KEEP: '0',
    });
    expect(config.backup).toEqual({ schedule: '0 4 * * 0', keep: 0, storageGiB: 1 });
  });
});
