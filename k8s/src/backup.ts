// The scheduled backup: a CronJob that runs db/backup/compose-backup.sh (shipped in a ConfigMap,
// read at synth time as init.sql is) in the db image, which carries mysqldump of the server's
// version, and keeps its dumps on a PersistentVolumeClaim of its own, pruned to the newest N.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApiObject, Cron, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ImageRef, imageReference } from './config.ts';
import { COMMON_LABELS, PORTS, PRODUCT, RUNTIME_UIDS, SERVICE_NAMES } from './contract.ts';
import { DATABASE_SECRET_KEYS } from './credentials.ts';
import {
  containerSecurityContext,
  podSecurityContext,
  type ResourceBudget,
  resources,
  SECCOMP_PROFILE,
  SECRET_FILE_MODE,
  scratchMount,
} from './pod-security.ts';
import { tierMetadata, tokenlessServiceAccount } from './workload.ts';

/** The script the Compose backup service runs too: one format, one set of dump flags. */
export const BACKUP_SCRIPT_FILE = fileURLToPath(
  new URL('../../db/backup/compose-backup.sh', import.meta.url),
);

const NAME = 'db-backup';
const SCRIPT_KEY = 'backup.sh';
const SCRIPT_DIRECTORY = '/opt/tristack';
const SECRETS_DIRECTORY = '/var/run/secrets/tristack';
const BACKUP_DIRECTORY = '/backups';
// The option file with the password (the script's mktemp).
const TMP = { name: 'tmp', mountPath: '/tmp', sizeLimitMiB: 16 };
/** Readable, never writable: bash reads the script, nothing runs it directly. */
const SCRIPT_FILE_MODE = 0o444;
// A run missed by more than this (controller down, cluster paused) is skipped, not run late in a
// burst; the next slot runs as usual.
const STARTING_DEADLINE = Duration.hours(1);
// A dump that takes longer is stuck (a lock, a dead connection): kill it, keep the old dumps.
const ACTIVE_DEADLINE = Duration.hours(2);
const RETRIES = 2;
const JOBS_KEPT = 3;

/**
 * The backup pods' labels. Not the db tier's selector labels: the db Service and the db
 * NetworkPolicy select `component: db`, and a backup pod must be neither a database endpoint nor
 * a pod the database's policy describes.
 */
export const BACKUP_POD_LABELS = {
  ...COMMON_LABELS,
  'app.kubernetes.io/name': PRODUCT,
  'app.kubernetes.io/component': NAME,
} as const;

export interface BackupProps {
  /** Namespace of every object. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /** Five-field cron schedule, in the controller's time zone. @default '17 3 * * *' in prod */
  readonly schedule: string;
  /** BACKUP_KEEP: dumps kept, newest first; 0 keeps every one. @default 7 */
  readonly keep: number;
  /** The db image, for its mysqldump. @default mysql:8.4.7 (the server's own) */
  readonly image: ImageRef;
  /** The database to dump (MYSQL_HOST is the db Service). @default 'tristack' */
  readonly databaseName: string;
  /** The application user: it reads every table of its database. @default 'tristack' */
  readonly user: string;
  /** The Secret whose `mysql-password` key alone is mounted. @default the Secret `db-credentials` */
  readonly secret: kplus.ISecret;
  /** Size of the backups volume, in GiB. @default 1 in dev, 20 in prod */
  readonly storageGiB: number;
  /** StorageClass of the backups volume. @default undefined: the cluster's default */
  readonly storageClassName?: string;
  /**
   * The script that dumps and prunes.
   * @default the content of db/backup/compose-backup.sh, read at synth time
   */
  readonly script?: string;
  /**
   * CPU and memory: mysqldump streams (--single-transaction, row by row) into gzip.
   * @default 100m and 128Mi requested, 256Mi memory limit
   */
  readonly resources?: ResourceBudget;
}

const DEFAULT_RESOURCES: ResourceBudget = { cpuMillis: 100, memoryMiB: 128, memoryLimitMiB: 256 };

/** Splits a five-field schedule into cdk8s's Cron (which writes it back in the same order). */
function cronOf(schedule: string): Cron {
  const [minute, hour, day, month, weekDay] = schedule.trim().split(/\s+/);
  return Cron.schedule({ minute, hour, day, month, weekDay });
}

/** CronJob `db-backup`, its claim, script ConfigMap and ServiceAccount. */
export class Backup extends Construct {
  /** The backup pods, for the NetworkPolicies: they reach the db on 3306 and nothing else. */
  readonly pods: kplus.Pods;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    const metadata = { name: NAME, namespace: props.namespace, component: 'db' } as const;
    this.pods = kplus.Pods.select(this, 'pods', {
      labels: { 'app.kubernetes.io/component': NAME, 'app.kubernetes.io/name': PRODUCT },
    });

    const script = new kplus.ConfigMap(this, 'script', {
      metadata: tierMetadata({ ...metadata, name: `${NAME}-script` }),
      data: { [SCRIPT_KEY]: props.script ?? readFileSync(BACKUP_SCRIPT_FILE, 'utf8') },
    });
    const claim = new kplus.PersistentVolumeClaim(this, 'claim', {
      metadata: tierMetadata(metadata),
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
      storage: Size.gibibytes(props.storageGiB),
      ...(props.storageClassName === undefined ? {} : { storageClassName: props.storageClassName }),
    });
    const scriptVolume = kplus.Volume.fromConfigMap(this, 'script-volume', script, {
      name: 'script',
      defaultMode: SCRIPT_FILE_MODE,
    });
    const credentials = kplus.Volume.fromSecret(this, 'credentials', props.secret, {
      name: 'credentials',
      // The application password only: a dump needs no root.
      items: { [DATABASE_SECRET_KEYS.password]: { path: DATABASE_SECRET_KEYS.password } },
      defaultMode: SECRET_FILE_MODE,
    });
    const backups = kplus.Volume.fromPersistentVolumeClaim(this, 'backups', claim, {
      name: 'backups',
    });

    const cronJob = new kplus.CronJob(this, 'cronjob', {
      metadata: tierMetadata(metadata),
      podMetadata: { labels: { ...BACKUP_POD_LABELS } },
      schedule: cronOf(props.schedule),
      // Never two dumps at once: a slow one finishes before the next starts (or is skipped).
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      startingDeadline: STARTING_DEADLINE,
      successfulJobsRetained: JOBS_KEPT,
      failedJobsRetained: JOBS_KEPT,
      backoffLimit: RETRIES,
      activeDeadline: ACTIVE_DEADLINE,
      serviceAccount: tokenlessServiceAccount(this, metadata),
      automountServiceAccountToken: false,
      // The mysql image's own user; fsGroup makes the claim and the Secret file its group's.
      securityContext: podSecurityContext(RUNTIME_UIDS.db),
      containers: [
        {
          name: 'backup',
          image: imageReference(props.image),
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['bash', `${SCRIPT_DIRECTORY}/${SCRIPT_KEY}`],
          envVariables: Object.fromEntries(
            Object.entries({
              MYSQL_HOST: SERVICE_NAMES.db,
              MYSQL_PORT: String(PORTS.db),
              MYSQL_DATABASE: props.databaseName,
              MYSQL_USER: props.user,
              MYSQL_PASSWORD_FILE: `${SECRETS_DIRECTORY}/${DATABASE_SECRET_KEYS.password}`,
              BACKUP_DIR: BACKUP_DIRECTORY,
              BACKUP_KEEP: String(props.keep),
            }).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)]),
          ),
          resources: resources(props.resources ?? DEFAULT_RESOURCES),
          securityContext: containerSecurityContext(),
          volumeMounts: [
            { volume: scriptVolume, path: SCRIPT_DIRECTORY, readOnly: true },
            { volume: credentials, path: SECRETS_DIRECTORY, readOnly: true },
            { volume: backups, path: BACKUP_DIRECTORY },
            scratchMount(this, TMP),
          ],
        },
      ],
    });
    // cdk8s-plus-28's PodSecurityContextProps has no seccompProfile.
    ApiObject.of(cronJob).addJsonPatch(
      JsonPatch.add(
        '/spec/jobTemplate/spec/template/spec/securityContext/seccompProfile',
        SECCOMP_PROFILE,
      ),
    );
  }
}
