// The deployment environments as typed data. overrides.ts applies the TRISTACK_* variables on
// top; everything else receives the resolved StackConfig.
import { API_DEFAULTS } from '@tristack/api/config';
import rootPackage from '../../package.json' with { type: 'json' };
import { IMAGE_NAMES, PRODUCT } from './contract.ts';

export const ENVIRONMENT_NAMES = ['dev', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** An image reference split so the registry and the tag can be overridden separately. */
export interface ImageRef {
  repository: string;
  tag: string;
}

/** MySQL runs in the cluster as a StatefulSet with its own volume. */
export interface InClusterDatabase {
  mode: 'in-cluster';
  image: ImageRef;
  storageSize: string;
  /** Omitted: the cluster's default StorageClass. */
  storageClassName?: string;
}

/** A managed MySQL outside the cluster: no StatefulSet, the API connects to host:port. */
export interface ExternalDatabase {
  mode: 'external';
  host: string;
  port: number;
}

export interface StackConfig {
  environment: EnvironmentName;
  namespace: string;
  database: (InClusterDatabase | ExternalDatabase) & {
    /** The schema the API uses (MYSQL_DATABASE). */
    name: string;
    /** The application user (MYSQL_USER). */
    user: string;
  };
  /**
   * The Secret holding `mysql-password` (and `mysql-root-password` for the in-cluster database).
   * `generateDevValues` makes the chart create it with fixed, public, development-only values.
   */
  databaseSecret: { name: string; generateDevValues: boolean };
  api: {
    image: ImageRef;
    /** Minimum replicas (the HorizontalPodAutoscaler's floor). */
    replicas: number;
    maxReplicas: number;
    /**
     * LOG_LEVEL. A string, not the API's LogLevel: TRISTACK_LOG_LEVEL arrives unchecked, and the
     * API's own schema judges it with the rest of the API's environment
     * (api-environment-check.ts).
     */
    logLevel: string;
    /** CORS_ORIGINS; undefined: derived from the ingress host. */
    corsOrigins?: string;
    rateLimitPerMinute: number;
    mysqlTimeoutMs: number;
  };
  front: { image: ImageRef; replicas: number };
  /** The CronJob `db-backup` (k8s/src/backup.ts); only with the in-cluster database. */
  backup: {
    /** Five-field cron schedule, in the controller's time zone (UTC mostly); undefined: off. */
    schedule?: string;
    /** BACKUP_KEEP: how many dumps the volume keeps, newest first; 0 keeps every one. */
    keep: number;
    /** Size of the backups volume, in GiB. */
    storageGiB: number;
  };
  ingress: { host?: string; className?: string; tlsSecretName?: string };
  /** Objects for a cluster running the Prometheus operator and Grafana (k8s/src/monitoring.ts). */
  monitoring: {
    /** A ServiceMonitor for the API (needs network.metricsScraperNamespace). */
    serviceMonitor: boolean;
    /** The Grafana dashboard as a ConfigMap labelled for Grafana's sidecar. */
    dashboard: boolean;
  };
  network: {
    /** Namespace of the ingress controller, allowed to reach front and api. */
    ingressControllerNamespace: string;
    /** Namespace of a Prometheus allowed to scrape the API; undefined: none. */
    metricsScraperNamespace?: string;
  };
  /**
   * The TRISTACK_* variables this configuration was resolved with (overrides.ts), by name, so
   * that a value the API would refuse is reported under the variable that set it.
   * Undefined: none, every value is the environment's own.
   */
  overrides?: Readonly<Record<string, string | undefined>>;
}

/** Images are tagged with the repository's version, never `latest`. */
export const DEFAULT_IMAGE_TAG = rootPackage.version;
// The LTS line, pinned to the release docker-compose.yml uses.
const MYSQL_IMAGE: ImageRef = { repository: 'mysql', tag: '8.4.7' };
const DEFAULT_SECRET_NAME = 'db-credentials';
const INGRESS_NGINX_NAMESPACE = 'ingress-nginx';
const DEFAULT_BACKUPS_KEPT = 7;

/** The MySQL StatefulSet both environments run, with a data volume of `storageSize`. */
function inClusterDatabase(storageSize: string): StackConfig['database'] {
  return {
    mode: 'in-cluster',
    image: MYSQL_IMAGE,
    storageSize,
    name: 'tristack',
    user: 'tristack',
  };
}

/** The API tier at the project's version, with the API's own limits (api/src/config.ts). */
function apiTier(
  scale: Pick<StackConfig['api'], 'replicas' | 'maxReplicas' | 'logLevel'>,
): StackConfig['api'] {
  return {
    image: { repository: IMAGE_NAMES.api, tag: DEFAULT_IMAGE_TAG },
    ...scale,
    rateLimitPerMinute: API_DEFAULTS.RATE_LIMIT_PER_MINUTE,
    mysqlTimeoutMs: API_DEFAULTS.MYSQL_TIMEOUT_MS,
  };
}

export const ENVIRONMENTS: Record<EnvironmentName, StackConfig> = {
  // A laptop cluster (kind, minikube): small volume, a generated dev-only Secret, no host or TLS
  // on the Ingress so http://localhost works through the ingress controller.
  dev: {
    environment: 'dev',
    namespace: PRODUCT,
    database: inClusterDatabase('1Gi'),
    databaseSecret: { name: DEFAULT_SECRET_NAME, generateDevValues: true },
    api: apiTier({ replicas: 2, maxReplicas: 4, logLevel: 'debug' }),
    front: { image: { repository: IMAGE_NAMES.front, tag: DEFAULT_IMAGE_TAG }, replicas: 1 },
    // Off: a laptop's data are test rows; TRISTACK_BACKUP_SCHEDULE turns it on to try it.
    backup: { keep: DEFAULT_BACKUPS_KEPT, storageGiB: 1 },
    ingress: { className: 'nginx' },
    // A laptop cluster rarely runs the Prometheus operator: TRISTACK_MONITORING turns these on.
    monitoring: { serviceMonitor: false, dashboard: false },
    network: { ingressControllerNamespace: INGRESS_NGINX_NAMESPACE },
  },
  // A shared cluster: a real host with TLS, more replicas and storage, and a Secret the operator
  // creates beforehand (the chart never holds a production password).
  prod: {
    environment: 'prod',
    namespace: PRODUCT,
    database: inClusterDatabase('20Gi'),
    databaseSecret: { name: DEFAULT_SECRET_NAME, generateDevValues: false },
    api: apiTier({ replicas: 3, maxReplicas: 10, logLevel: 'info' }),
    front: { image: { repository: IMAGE_NAMES.front, tag: DEFAULT_IMAGE_TAG }, replicas: 2 },
    // Nightly at 03:17 (off the hour, when every other job starts), a week of dumps; the volume
    // is as large as the data's, which a week of compressed dumps stays well under.
    backup: { schedule: '17 3 * * *', keep: DEFAULT_BACKUPS_KEPT, storageGiB: 20 },
    ingress: { host: 'tristack.example.com', className: 'nginx', tlsSecretName: 'tristack-tls' },
    // Off until the cluster's monitoring stack is known: applying a ServiceMonitor without the
    // operator's CRD fails `kubectl apply`.
    monitoring: { serviceMonitor: false, dashboard: false },
    network: { ingressControllerNamespace: INGRESS_NGINX_NAMESPACE },
  },
};

export class StackConfigError extends Error {
  override name = 'StackConfigError';
}

function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

/** Picks an environment by name: `dev` or `prod`. */
export function environmentConfig(name: string): StackConfig {
  if (!isEnvironmentName(name)) {
    throw new StackConfigError(
      `unknown environment "${name}": choose one of ${ENVIRONMENT_NAMES.join(', ')}`,
    );
  }
  return structuredClone(ENVIRONMENTS[name]);
}

/** `repository:tag`, the form a container's `image` takes. */
export function imageReference(image: ImageRef): string {
  return `${image.repository}:${image.tag}`;
}
