// MySQL as a one-pod StatefulSet with its own volume, seeded from db/init.sql on first boot.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ImageRef, imageReference } from './config.ts';
import { PORTS, podLabels, RUNTIME_UIDS, SERVICE_NAMES, selectorLabels } from './contract.ts';
import { DATABASE_SECRET_KEYS } from './credentials.ts';
import {
  kubeContainerSecurityContext,
  kubePodSecurityContext,
  kubeResources,
  kubeScratchMount,
  kubeScratchVolume,
  type ResourceBudget,
  type ScratchDirectory,
  SECRET_FILE_MODE,
} from './pod-security.ts';
import { tierMetadata, tokenlessServiceAccount } from './workload.ts';

/** The one source of the schema and seed rows, shared with compose and the tests. */
export const INIT_SQL_FILE = fileURLToPath(new URL('../../db/init.sql', import.meta.url));

const COMPONENT = 'db';
const DATA_DIRECTORY = '/var/lib/mysql';
const INIT_DIRECTORY = '/docker-entrypoint-initdb.d';
const SECRETS_DIRECTORY = '/var/run/secrets/tristack';
const DATA_VOLUME = 'data';
// The image writes its socket and pid file under /var/run/mysqld and temporary tables under /tmp;
// everything else stays read-only.
const SCRATCH: ScratchDirectory[] = [
  { name: 'run', mountPath: '/var/run/mysqld', sizeLimitMiB: 16 },
  { name: 'tmp', mountPath: '/tmp', sizeLimitMiB: 512 },
];
// A TCP ping: during first-boot initialisation the image runs a server without networking, and a
// socket ping would report it ready before init.sql has run. "Access denied" still exits 0, so no
// credentials are needed to learn that the server answers.
const PING_COMMAND = ['mysqladmin', 'ping', '-h', '127.0.0.1', '--silent'];
// First boot initialises the data directory and runs init.sql: allow up to 5 minutes on a slow disk.
const STARTUP_PERIOD_SECONDS = 5;
const STARTUP_FAILURES_ALLOWED = 60;
// InnoDB flushes its buffer pool on SIGTERM; give it time rather than risk crash recovery.
const TERMINATION_GRACE_SECONDS = 60;

export interface DatabaseProps {
  /** Namespace of every object. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /**
   * The MySQL server image.
   * @default mysql:8.4.7 (the LTS line, as in docker-compose.yml)
   */
  readonly image: ImageRef;
  /**
   * Size of the data volume, a Kubernetes quantity.
   * @default '1Gi' in dev, '20Gi' in prod
   */
  readonly storageSize: string;
  /**
   * StorageClass of the data volume.
   * @default undefined: the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /** The schema created on first boot (MYSQL_DATABASE). @default 'tristack' */
  readonly databaseName: string;
  /** The application user created on first boot (MYSQL_USER). @default 'tristack' */
  readonly user: string;
  /**
   * The Secret with `mysql-password` and `mysql-root-password`: the chart's own (dev) or one that
   * exists in the cluster (`Secret.fromSecretName`).
   * @default the Secret `db-credentials`
   */
  readonly secret: kplus.ISecret;
  /**
   * The SQL run once, on an empty data directory.
   * @default the content of db/init.sql, read at synth time
   */
  readonly initSql?: string;
  /**
   * CPU and memory.
   * @default 250m and 512Mi requested, 1Gi memory limit
   */
  readonly resources?: ResourceBudget;
}

const DEFAULT_RESOURCES: ResourceBudget = { cpuMillis: 250, memoryMiB: 512, memoryLimitMiB: 1024 };

/** StatefulSet `db`, its headless Service `db`, the init ConfigMap and a ServiceAccount. */
export class Database extends Construct {
  /**
   * The MySQL pods, selected by the labels the StatefulSet selects them by: the Service and the
   * NetworkPolicies point at these.
   */
  readonly pods: kplus.Pods;
  /** The headless Service the API connects to. */
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const metadata = { name: COMPONENT, namespace: props.namespace, component: COMPONENT } as const;
    this.pods = kplus.Pods.select(this, 'pods', { labels: selectorLabels(COMPONENT) });

    const initConfigMap = new kplus.ConfigMap(this, 'init', {
      metadata: tierMetadata({ ...metadata, name: 'db-init' }),
      data: { 'init.sql': props.initSql ?? readFileSync(INIT_SQL_FILE, 'utf8') },
    });

    const serviceAccount = tokenlessServiceAccount(this, metadata);

    // Headless: clients resolve the pod directly and the StatefulSet gets stable DNS names.
    this.service = new kplus.Service(this, 'service', {
      metadata: tierMetadata({ ...metadata, name: SERVICE_NAMES.db }),
      clusterIP: 'None',
      selector: this.pods,
      ports: [{ name: 'mysql', port: PORTS.db, targetPort: PORTS.db }],
    });

    const ping: k8s.ExecAction = { command: PING_COMMAND };
    // cdk8s-plus-28's StatefulSet has no volumeClaimTemplates nor claim retention policy.
    new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: tierMetadata(metadata),
      spec: {
        serviceName: SERVICE_NAMES.db,
        // One writer: MySQL replication is out of scope; outgrow it with an external database.
        replicas: 1,
        selector: { matchLabels: selectorLabels(COMPONENT) },
        // Deleting or scaling the StatefulSet must never delete the data.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: { labels: podLabels(COMPONENT) },
          spec: {
            serviceAccountName: serviceAccount.name,
            automountServiceAccountToken: false,
            securityContext: kubePodSecurityContext(RUNTIME_UIDS.db),
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            containers: [
              {
                name: 'mysql',
                image: imageReference(props.image),
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'mysql', containerPort: PORTS.db }],
                // The image's _FILE variants read the passwords from the mounted Secret, so no
                // password appears in the pod spec or the process environment.
                env: [
                  { name: 'MYSQL_DATABASE', value: props.databaseName },
                  { name: 'MYSQL_USER', value: props.user },
                  {
                    name: 'MYSQL_PASSWORD_FILE',
                    value: `${SECRETS_DIRECTORY}/${DATABASE_SECRET_KEYS.password}`,
                  },
                  {
                    name: 'MYSQL_ROOT_PASSWORD_FILE',
                    value: `${SECRETS_DIRECTORY}/${DATABASE_SECRET_KEYS.rootPassword}`,
                  },
                ],
                resources: kubeResources(props.resources ?? DEFAULT_RESOURCES),
                securityContext: kubeContainerSecurityContext(),
                startupProbe: {
                  exec: ping,
                  periodSeconds: STARTUP_PERIOD_SECONDS,
                  failureThreshold: STARTUP_FAILURES_ALLOWED,
                  timeoutSeconds: 3,
                },
                readinessProbe: {
                  exec: ping,
                  periodSeconds: 5,
                  failureThreshold: 3,
                  timeoutSeconds: 3,
                },
                livenessProbe: {
                  exec: ping,
                  periodSeconds: 10,
                  failureThreshold: 6,
                  timeoutSeconds: 5,
                },
                volumeMounts: [
                  { name: DATA_VOLUME, mountPath: DATA_DIRECTORY },
                  { name: 'init', mountPath: INIT_DIRECTORY, readOnly: true },
                  { name: 'credentials', mountPath: SECRETS_DIRECTORY, readOnly: true },
                  ...SCRATCH.map(kubeScratchMount),
                ],
              },
            ],
            volumes: [
              { name: 'init', configMap: { name: initConfigMap.name } },
              {
                name: 'credentials',
                secret: { secretName: props.secret.name, defaultMode: SECRET_FILE_MODE },
              },
              ...SCRATCH.map(kubeScratchVolume),
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: DATA_VOLUME, labels: podLabels(COMPONENT) },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storageClassName === undefined
                ? {}
                : { storageClassName: props.storageClassName }),
              resources: { requests: { storage: k8s.Quantity.fromString(props.storageSize) } },
            },
          },
        ],
      },
    });
  }
}
