// The Express API: Deployment, Service `api`, its configuration, autoscaling and disruption budget.
import { createHash } from 'node:crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ImageRef, imageReference } from './config.ts';
import {
  API_ROUTES,
  PORTS,
  podLabels,
  RUNTIME_UIDS,
  SERVICE_NAMES,
  selectorLabels,
} from './contract.ts';
import { DATABASE_SECRET_KEYS } from './credentials.ts';
import {
  containerSecurityContext,
  httpProbe,
  podSecurityContext,
  type ResourceBudget,
  resources,
  type ScratchDirectory,
  SECRET_FILE_MODE,
  scratchMount,
  scratchVolume,
} from './pod-security.ts';
import { httpService, SURGE_ONLY_ROLLOUT, tokenlessServiceAccount } from './workload.ts';

const COMPONENT = 'api';
const SECRETS_DIRECTORY = '/var/run/secrets/tristack';
const TMP: ScratchDirectory = { name: 'tmp', mountPath: '/tmp', sizeLimitMiB: 64 };
// The shutdown budget: how a pod stops without failing a request, and why it fits in time.
//
//   preStop pause          5 s  Kubernetes removes the terminating pod's endpoints while this
//                               runs, but kube-proxy on every node and the ingress controller
//                               take a few seconds to follow; the API serves as usual meanwhile.
//   + shutdown delay       5 s  SIGTERM: /status fails and every answer says `Connection: close`,
//     (SHUTDOWN_DELAY_MS)       but the listener stays open. Connections pinned to the pod (pooled
//                               keep-alive clients, an endpoint list slower than the pause) are
//                               served and told to reconnect elsewhere; connections still idle at
//                               the end are closed with a FIN.
//   + drain grace         10 s  The listener closes and in-flight requests finish
//     (SHUTDOWN_GRACE_MS)       (api/src/lifecycle.ts); usually milliseconds, since every
//                               database call is bounded by MYSQL_TIMEOUT_MS.
//   + margin               5 s  Closing the pool, flushing the logs, the kubelet's own latency.
//   <= terminationGracePeriodSeconds, 30 s, after which the kubelet sends SIGKILL.
//
// The delay here is longer than the API's own default (2 s, for Compose and `docker stop`, where
// no preStop runs): the pause has already moved the balancers, and the 30 s leave room for 5 more
// seconds for late endpoint updates and pooled clients; a rollout hardly waits for it, since it
// starts the new pod before stopping the old. k8s/test/shutdown-budget.test.ts adds these up in
// the rendered objects.
const PRE_STOP_PAUSE_SECONDS = 5;
const SHUTDOWN_DELAY_MS = 5000;
/** What the budget keeps free after the drain grace, before SIGKILL. */
export const SHUTDOWN_MARGIN_SECONDS = 5;
const TERMINATION_GRACE_SECONDS = 30;
// /status waits up to MYSQL_TIMEOUT_MS (2 s by default) for the database: the probe waits longer.
const READINESS_TIMEOUT_SECONDS = 3;
const DEFAULT_TARGET_CPU_PERCENT = 70;

/** The endpoint Prometheus scrapes; a later monitoring construct (ServiceMonitor) reuses it. */
export const API_METRICS = { port: PORTS.api, portName: 'http', path: API_ROUTES.metrics } as const;

/** Where the API reaches MySQL. */
export interface DatabaseEndpoint {
  /** MYSQL_HOST. @default 'db' */
  readonly host: string;
  /** MYSQL_PORT. @default 3306 */
  readonly port: number;
  /** MYSQL_DATABASE. @default 'tristack' */
  readonly name: string;
  /** MYSQL_USER. @default 'tristack' */
  readonly user: string;
}

export interface ApiProps {
  /** Namespace of every object. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /** The API image. @default tristack-api:<repository version> */
  readonly image: ImageRef;
  /**
   * Minimum number of pods, kept by the HorizontalPodAutoscaler.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Most pods the HorizontalPodAutoscaler may run.
   * @default 4
   */
  readonly maxReplicas?: number;
  /**
   * Average CPU use, in percent of the request, above which the autoscaler adds pods.
   * @default 70
   */
  readonly targetCpuPercent?: number;
  /**
   * The database to use (MYSQL_HOST, MYSQL_PORT, MYSQL_DATABASE, MYSQL_USER).
   * @default db:3306, database and user 'tristack' (an external MySQL's host and port when set)
   */
  readonly database: DatabaseEndpoint;
  /** The Secret whose `mysql-password` key is mounted as MYSQL_PASSWORD_FILE. @default 'db-credentials' */
  readonly secretName: string;
  /** LOG_LEVEL, one of the API's LOG_LEVELS (api/src/config.ts). @default 'info' */
  readonly logLevel?: string;
  /** CORS_ORIGINS, comma-separated. @default 'http://localhost:8080' */
  readonly corsOrigins?: string;
  /** RATE_LIMIT_PER_MINUTE per client address; 0 turns it off. @default 6000 */
  readonly rateLimitPerMinute?: number;
  /** MYSQL_TIMEOUT_MS. @default 2000 */
  readonly mysqlTimeoutMs?: number;
  /**
   * CPU and memory.
   * @default 100m and 128Mi requested, 256Mi memory limit
   */
  readonly resources?: ResourceBudget;
}

const DEFAULTS = {
  replicas: 2,
  maxReplicas: 4,
  logLevel: 'info',
  corsOrigins: 'http://localhost:8080',
  rateLimitPerMinute: 6000,
  mysqlTimeoutMs: 2000,
  resources: { cpuMillis: 100, memoryMiB: 128, memoryLimitMiB: 256 },
} as const;

/** The API's environment, exactly the contract's names (MYSQL_PASSWORD comes as a file). */
export function apiEnvironment(props: ApiProps): Record<string, string> {
  return {
    API_PORT: String(PORTS.api),
    MYSQL_HOST: props.database.host,
    MYSQL_PORT: String(props.database.port),
    MYSQL_DATABASE: props.database.name,
    MYSQL_USER: props.database.user,
    MYSQL_PASSWORD_FILE: `${SECRETS_DIRECTORY}/${DATABASE_SECRET_KEYS.password}`,
    MYSQL_TIMEOUT_MS: String(props.mysqlTimeoutMs ?? DEFAULTS.mysqlTimeoutMs),
    CORS_ORIGINS: props.corsOrigins ?? DEFAULTS.corsOrigins,
    RATE_LIMIT_PER_MINUTE: String(props.rateLimitPerMinute ?? DEFAULTS.rateLimitPerMinute),
    LOG_LEVEL: props.logLevel ?? DEFAULTS.logLevel,
    SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
  };
}

/** A digest of the configuration: in the pod template, so a changed ConfigMap rolls the pods. */
function configDigest(data: Record<string, string>): string {
  const sorted = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

export class Api extends Construct {
  readonly serviceName: string = SERVICE_NAMES.api;
  readonly port: number = PORTS.api;
  /** The API's environment as the ConfigMap holds it, for the chart to check. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const replicas = props.replicas ?? DEFAULTS.replicas;
    const metadata = (name: string) => ({
      name,
      namespace: props.namespace,
      labels: selectorLabels(COMPONENT),
    });
    const environment = apiEnvironment(props);
    this.environment = environment;

    const configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: metadata('api-config'),
      data: environment,
    });

    tokenlessServiceAccount(this, metadata(COMPONENT));

    httpService(this, metadata(SERVICE_NAMES.api), selectorLabels(COMPONENT), PORTS.api);

    const deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: metadata(COMPONENT),
      spec: {
        // No `replicas`: the HorizontalPodAutoscaler owns the count, and a fixed value here would
        // reset it on every `kubectl apply`.
        selector: { matchLabels: selectorLabels(COMPONENT) },
        strategy: SURGE_ONLY_ROLLOUT,
        template: {
          metadata: {
            labels: podLabels(COMPONENT),
            annotations: {
              'checksum/config': configDigest(environment),
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(API_METRICS.port),
              'prometheus.io/path': API_METRICS.path,
            },
          },
          spec: {
            serviceAccountName: COMPONENT,
            automountServiceAccountToken: false,
            securityContext: podSecurityContext(RUNTIME_UIDS.api),
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            // Spread replicas over nodes when there are several, without blocking a one-node cluster.
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: selectorLabels(COMPONENT) },
              },
            ],
            containers: [
              {
                name: 'api',
                image: imageReference(props.image),
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: PORTS.api }],
                envFrom: [{ configMapRef: { name: configMap.name } }],
                resources: resources(props.resources ?? DEFAULTS.resources),
                securityContext: containerSecurityContext(),
                // The process answers /healthz without the database: up to 60 s to start.
                startupProbe: httpProbe(API_ROUTES.liveness, PORTS.api, {
                  periodSeconds: 2,
                  failureThreshold: 30,
                  timeoutSeconds: 2,
                }),
                // /status is 503 while the database is unreachable or the API drains.
                readinessProbe: httpProbe(API_ROUTES.readiness, PORTS.api, {
                  periodSeconds: 5,
                  failureThreshold: 2,
                  timeoutSeconds: READINESS_TIMEOUT_SECONDS,
                }),
                livenessProbe: httpProbe(API_ROUTES.liveness, PORTS.api, {
                  periodSeconds: 10,
                  failureThreshold: 3,
                  timeoutSeconds: 2,
                }),
                lifecycle: {
                  preStop: { exec: { command: ['sleep', String(PRE_STOP_PAUSE_SECONDS)] } },
                },
                volumeMounts: [
                  { name: 'credentials', mountPath: SECRETS_DIRECTORY, readOnly: true },
                  scratchMount(TMP),
                ],
              },
            ],
            volumes: [
              {
                name: 'credentials',
                secret: {
                  secretName: props.secretName,
                  // Only the application password: the API never needs the root one.
                  items: [
                    { key: DATABASE_SECRET_KEYS.password, path: DATABASE_SECRET_KEYS.password },
                  ],
                  defaultMode: SECRET_FILE_MODE,
                },
              },
              scratchVolume(TMP),
            ],
          },
        },
      },
    });

    new k8s.KubeHorizontalPodAutoscalerV2(this, 'autoscaler', {
      metadata: metadata(COMPONENT),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name },
        minReplicas: replicas,
        maxReplicas: Math.max(replicas, props.maxReplicas ?? DEFAULTS.maxReplicas),
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: {
                type: 'Utilization',
                averageUtilization: props.targetCpuPercent ?? DEFAULT_TARGET_CPU_PERCENT,
              },
            },
          },
        ],
      },
    });

    // Voluntary disruptions (node drains, upgrades) take one pod at a time.
    new k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: metadata(COMPONENT),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels(COMPONENT) },
      },
    });
  }
}
