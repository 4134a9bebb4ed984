// The Express API: Deployment, Service `api`, its configuration, autoscaling and disruption budget.
import { createHash } from 'node:crypto';
import { API_DEFAULTS } from '@tristack/api/config';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ImageRef, imageReference } from './config.ts';
import { API_ROUTES, PORTS, RUNTIME_UIDS } from './contract.ts';
import { DATABASE_SECRET_KEYS } from './credentials.ts';
import { migrationsInitContainer } from './migrations.ts';
import {
  containerSecurityContext,
  httpProbe,
  type ResourceBudget,
  resources,
  type ScratchDirectory,
  SECRET_FILE_MODE,
  scratchMount,
} from './pod-security.ts';
import { httpService, tierDeployment, tierMetadata, tokenlessServiceAccount } from './workload.ts';

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
//     (SHUTDOWN_GRACE_MS)       (api/src/server.ts); usually milliseconds, since every
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
const DEFAULT_TARGET_CPU_PERCENT = 70;
// Kubernetes' own scaling behaviour, written out because cdk8s-plus-28 would otherwise render
// gentler rules of its own (at most 2 pods removed per 5 minutes): up by 4 pods or 100 % every
// 15 s, whichever adds more, at once; down by up to 100 % every 15 s after 5 stable minutes.
const SCALING_PERIOD = Duration.seconds(15);
const SCALE_UP: kplus.ScalingRules = {
  stabilizationWindow: Duration.seconds(0),
  strategy: kplus.ScalingStrategy.MAX_CHANGE,
  policies: [
    { replicas: kplus.Replicas.percent(100), duration: SCALING_PERIOD },
    { replicas: kplus.Replicas.absolute(4), duration: SCALING_PERIOD },
  ],
};
const SCALE_DOWN: kplus.ScalingRules = {
  stabilizationWindow: Duration.minutes(5),
  strategy: kplus.ScalingStrategy.MAX_CHANGE,
  policies: [{ replicas: kplus.Replicas.percent(100), duration: SCALING_PERIOD }],
};

/** /status waits up to MYSQL_TIMEOUT_MS for the database: the probe waits a second longer. */
function readinessTimeoutSeconds(mysqlTimeoutMs: number): number {
  return Math.ceil(mysqlTimeoutMs / 1000) + 1;
}

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
  /**
   * The Secret whose `mysql-password` key is mounted as MYSQL_PASSWORD_FILE: the chart's own
   * (dev) or one that exists in the cluster (`Secret.fromSecretName`).
   * @default the Secret `db-credentials`
   */
  readonly secret: kplus.ISecret;
  /** LOG_LEVEL, one of the API's LOG_LEVELS (@tristack/api/config). @default the API's default */
  readonly logLevel?: string;
  /** CORS_ORIGINS, comma-separated. @default the API's default (http://localhost:8080) */
  readonly corsOrigins?: string;
  /** RATE_LIMIT_PER_MINUTE per client address; 0 turns it off. @default the API's default */
  readonly rateLimitPerMinute?: number;
  /** MYSQL_TIMEOUT_MS. @default the API's default */
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
    MYSQL_TIMEOUT_MS: String(props.mysqlTimeoutMs ?? API_DEFAULTS.MYSQL_TIMEOUT_MS),
    CORS_ORIGINS: props.corsOrigins ?? API_DEFAULTS.CORS_ORIGINS.join(','),
    RATE_LIMIT_PER_MINUTE: String(props.rateLimitPerMinute ?? API_DEFAULTS.RATE_LIMIT_PER_MINUTE),
    LOG_LEVEL: props.logLevel ?? API_DEFAULTS.LOG_LEVEL,
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
  /** The pods, for the NetworkPolicies to name as a peer. */
  readonly pods: kplus.Pods;
  /** The Service the front and the Ingress send `/api` to. */
  readonly service: kplus.Service;
  /** The API's environment as the ConfigMap holds it, for the chart to check. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const replicas = props.replicas ?? DEFAULTS.replicas;
    const metadata = { name: COMPONENT, namespace: props.namespace, component: COMPONENT } as const;
    const environment = apiEnvironment(props);
    this.environment = environment;

    const configMap = new kplus.ConfigMap(this, 'config', {
      metadata: tierMetadata({ ...metadata, name: 'api-config' }),
      data: environment,
    });
    const credentials = kplus.Volume.fromSecret(this, 'credentials', props.secret, {
      name: 'credentials',
      // Only the application password: the API never needs the root one.
      items: { [DATABASE_SECRET_KEYS.password]: { path: DATABASE_SECRET_KEYS.password } },
      defaultMode: SECRET_FILE_MODE,
    });

    const deployment = tierDeployment(this, {
      metadata,
      // No `replicas`: the HorizontalPodAutoscaler owns the count, and a fixed value here would
      // reset it on every `kubectl apply`.
      uid: RUNTIME_UIDS.api,
      serviceAccount: tokenlessServiceAccount(this, metadata),
      terminationGraceSeconds: TERMINATION_GRACE_SECONDS,
      podAnnotations: {
        'checksum/config': configDigest(environment),
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(API_METRICS.port),
        'prometheus.io/path': API_METRICS.path,
      },
      spreadOverNodes: true,
      // The pod's own image brings the schema to what its API needs before the API starts; the
      // API's /status stays 503 on an older schema besides (docs/kubernetes.md, "Migrations").
      initContainers: [
        migrationsInitContainer({
          image: imageReference(props.image),
          configMap,
          credentials: { volume: credentials, path: SECRETS_DIRECTORY },
        }),
      ],
      container: {
        name: 'api',
        image: imageReference(props.image),
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ name: API_METRICS.portName, number: PORTS.api }],
        envFrom: [kplus.Env.fromConfigMap(configMap)],
        resources: resources(props.resources ?? DEFAULTS.resources),
        securityContext: containerSecurityContext(),
        // The process answers /healthz without the database: up to 60 s to start.
        startup: httpProbe(API_ROUTES.liveness, PORTS.api, {
          periodSeconds: 2,
          failureThreshold: 30,
          timeoutSeconds: 2,
        }),
        // /status is 503 while the database is unreachable or the API drains.
        readiness: httpProbe(API_ROUTES.readiness, PORTS.api, {
          periodSeconds: 5,
          failureThreshold: 2,
          timeoutSeconds: readinessTimeoutSeconds(Number(environment.MYSQL_TIMEOUT_MS)),
        }),
        liveness: httpProbe(API_ROUTES.liveness, PORTS.api, {
          periodSeconds: 10,
          failureThreshold: 3,
          timeoutSeconds: 2,
        }),
        lifecycle: {
          preStop: kplus.Handler.fromCommand(['sleep', String(PRE_STOP_PAUSE_SECONDS)]),
        },
        volumeMounts: [
          { volume: credentials, path: SECRETS_DIRECTORY, readOnly: true },
          scratchMount(this, TMP),
        ],
      },
    });

    ({ pods: this.pods, service: this.service } = httpService(this, metadata, deployment));

    new kplus.HorizontalPodAutoscaler(this, 'autoscaler', {
      metadata: tierMetadata(metadata),
      target: deployment,
      minReplicas: replicas,
      maxReplicas: Math.max(replicas, props.maxReplicas ?? DEFAULTS.maxReplicas),
      metrics: [
        kplus.Metric.resourceCpu(
          kplus.MetricTarget.averageUtilization(
            props.targetCpuPercent ?? DEFAULT_TARGET_CPU_PERCENT,
          ),
        ),
      ],
      scaleUp: SCALE_UP,
      scaleDown: SCALE_DOWN,
    });

    // cdk8s-plus-28 has no PodDisruptionBudget construct.
    new k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: tierMetadata(metadata),
      spec: {
        // Voluntary disruptions (node drains, upgrades) take one pod at a time.
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: deployment.matchLabels },
      },
    });
  }
}
