// The TRISTACK_* environment variables: the few settings a user changes without editing code
// (registry, tag, host, storage, an existing Secret, an external database). Only main.ts hands
// process.env here; each bad value is refused with a message naming its variable (values bound for
// the API's environment by the API's own schema, in api-environment-check.ts).
import { environmentConfig, type ImageRef, type StackConfig, StackConfigError } from './config.ts';
import { IMAGE_NAMES, PORTS } from './contract.ts';

/** Names this module reads from the environment, for the docs and the error messages. */
export const OVERRIDE_VARIABLES = [
  'TRISTACK_ENV',
  'TRISTACK_NAMESPACE',
  'TRISTACK_IMAGE_REGISTRY',
  'TRISTACK_IMAGE_TAG',
  'TRISTACK_MYSQL_IMAGE',
  'TRISTACK_API_REPLICAS',
  'TRISTACK_API_MAX_REPLICAS',
  'TRISTACK_FRONT_REPLICAS',
  'TRISTACK_LOG_LEVEL',
  'TRISTACK_CORS_ORIGINS',
  'TRISTACK_STORAGE_SIZE',
  'TRISTACK_STORAGE_CLASS',
  'TRISTACK_INGRESS_HOST',
  'TRISTACK_INGRESS_CLASS',
  'TRISTACK_INGRESS_TLS_SECRET',
  'TRISTACK_DB_SECRET_NAME',
  'TRISTACK_EXTERNAL_MYSQL_HOST',
  'TRISTACK_EXTERNAL_MYSQL_PORT',
  'TRISTACK_INGRESS_CONTROLLER_NAMESPACE',
  'TRISTACK_METRICS_NAMESPACE',
  'TRISTACK_MONITORING',
] as const;
export type OverrideVariable = (typeof OVERRIDE_VARIABLES)[number];
type Overrides = Partial<Record<OverrideVariable, string | undefined>>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_REPOSITORY = /^[a-z0-9]+([._/:-][a-z0-9]+)*$/;
const MAX_REPLICAS = 100;

function matching(variable: string, value: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(value)) {
    throw new StackConfigError(`${variable}="${value}" must be ${expected}`);
  }
  return value;
}

function count(variable: string, value: string, minimum: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum || parsed > MAX_REPLICAS) {
    throw new StackConfigError(
      `${variable}="${value}" must be a whole number from ${minimum} to ${MAX_REPLICAS}`,
    );
  }
  return parsed;
}

// Checked here and not left to the API's schema: the port is also the NetworkPolicy's egress port.
function port(variable: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65_535) {
    throw new StackConfigError(`${variable}="${value}" must be a port from 1 to 65535`);
  }
  return parsed;
}

function imageRef(variable: string, reference: string): ImageRef {
  // The tag is after the last colon that follows the last slash (a registry may carry a port).
  const tagAt = reference.lastIndexOf(':');
  if (tagAt <= reference.lastIndexOf('/')) {
    throw new StackConfigError(`${variable}="${reference}" must include a tag, such as mysql:8.4`);
  }
  const repository = reference.slice(0, tagAt);
  const tag = reference.slice(tagAt + 1);
  matching(variable, repository, IMAGE_REPOSITORY, 'an image repository such as mysql');
  return { repository, tag: checkedTag(variable, tag) };
}

function checkedTag(variable: string, tag: string): string {
  matching(variable, tag, IMAGE_TAG, 'an image tag (letters, digits, ".", "_", "-")');
  if (tag === 'latest') {
    throw new StackConfigError(`${variable}: "latest" is not allowed; pin a version`);
  }
  return tag;
}

/** Reads only the TRISTACK_* variables; empty values count as unset. */
function presentOverrides(env: Record<string, string | undefined>): Overrides {
  // A misspelt override would otherwise be ignored without a word.
  const unknown = Object.keys(env).filter(
    (name) =>
      name.startsWith('TRISTACK_') && !(OVERRIDE_VARIABLES as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    throw new StackConfigError(
      `unknown variable ${unknown.sort().join(', ')}: the settings are ${OVERRIDE_VARIABLES.join(', ')}`,
    );
  }
  return Object.fromEntries(
    OVERRIDE_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [
      name,
      env[name],
    ]),
  );
}

function applyImageOverrides(config: StackConfig, overrides: Overrides): void {
  const registry = overrides.TRISTACK_IMAGE_REGISTRY;
  if (registry !== undefined) {
    const prefix = matching(
      'TRISTACK_IMAGE_REGISTRY',
      registry.replace(/\/+$/, ''),
      IMAGE_REPOSITORY,
      'a registry path such as ghcr.io/acme',
    );
    config.api.image.repository = `${prefix}/${IMAGE_NAMES.api}`;
    config.front.image.repository = `${prefix}/${IMAGE_NAMES.front}`;
  }
  if (overrides.TRISTACK_IMAGE_TAG !== undefined) {
    const tag = checkedTag('TRISTACK_IMAGE_TAG', overrides.TRISTACK_IMAGE_TAG);
    config.api.image.tag = tag;
    config.front.image.tag = tag;
  }
}

// Settings that only make sense for a MySQL running in the cluster.
const IN_CLUSTER_ONLY: OverrideVariable[] = [
  'TRISTACK_MYSQL_IMAGE',
  'TRISTACK_STORAGE_SIZE',
  'TRISTACK_STORAGE_CLASS',
];

function applyExternalDatabase(config: StackConfig, overrides: Overrides): void {
  const externalHost = overrides.TRISTACK_EXTERNAL_MYSQL_HOST;
  const externalPort = overrides.TRISTACK_EXTERNAL_MYSQL_PORT;
  if (externalHost === undefined) {
    if (externalPort !== undefined) {
      throw new StackConfigError(
        'TRISTACK_EXTERNAL_MYSQL_PORT is set without TRISTACK_EXTERNAL_MYSQL_HOST',
      );
    }
    return;
  }
  const conflicting = IN_CLUSTER_ONLY.find((name) => overrides[name] !== undefined);
  if (conflicting !== undefined) {
    throw new StackConfigError(
      `${conflicting} has no effect with TRISTACK_EXTERNAL_MYSQL_HOST: unset one`,
    );
  }
  config.database = {
    mode: 'external',
    host: matching(
      'TRISTACK_EXTERNAL_MYSQL_HOST',
      externalHost,
      DNS_SUBDOMAIN,
      'a DNS name such as mysql.example.com',
    ),
    port:
      externalPort === undefined ? PORTS.db : port('TRISTACK_EXTERNAL_MYSQL_PORT', externalPort),
    name: config.database.name,
    user: config.database.user,
  };
}

function applyInClusterDatabase(config: StackConfig, overrides: Overrides): void {
  const database = config.database;
  if (database.mode !== 'in-cluster') return;
  if (overrides.TRISTACK_MYSQL_IMAGE !== undefined) {
    database.image = imageRef('TRISTACK_MYSQL_IMAGE', overrides.TRISTACK_MYSQL_IMAGE);
  }
  if (overrides.TRISTACK_STORAGE_SIZE !== undefined) {
    database.storageSize = matching(
      'TRISTACK_STORAGE_SIZE',
      overrides.TRISTACK_STORAGE_SIZE,
      QUANTITY,
      'a Kubernetes quantity such as 10Gi',
    );
  }
  if (overrides.TRISTACK_STORAGE_CLASS !== undefined) {
    database.storageClassName = matching(
      'TRISTACK_STORAGE_CLASS',
      overrides.TRISTACK_STORAGE_CLASS,
      DNS_SUBDOMAIN,
      'a StorageClass name',
    );
  }
}

function applySecretOverride(config: StackConfig, overrides: Overrides): void {
  if (overrides.TRISTACK_DB_SECRET_NAME === undefined) return;
  // Naming a Secret means "it exists already": the chart then never generates one.
  config.databaseSecret = {
    name: matching(
      'TRISTACK_DB_SECRET_NAME',
      overrides.TRISTACK_DB_SECRET_NAME,
      DNS_SUBDOMAIN,
      'a Secret name',
    ),
    generateDevValues: false,
  };
}

function applyWorkloadOverrides(config: StackConfig, overrides: Overrides): void {
  if (overrides.TRISTACK_API_REPLICAS !== undefined) {
    config.api.replicas = count('TRISTACK_API_REPLICAS', overrides.TRISTACK_API_REPLICAS, 1);
  }
  if (overrides.TRISTACK_API_MAX_REPLICAS !== undefined) {
    config.api.maxReplicas = count(
      'TRISTACK_API_MAX_REPLICAS',
      overrides.TRISTACK_API_MAX_REPLICAS,
      1,
    );
  }
  config.api.maxReplicas = Math.max(config.api.maxReplicas, config.api.replicas);
  if (overrides.TRISTACK_FRONT_REPLICAS !== undefined) {
    config.front.replicas = count('TRISTACK_FRONT_REPLICAS', overrides.TRISTACK_FRONT_REPLICAS, 1);
  }
  // LOG_LEVEL and CORS_ORIGINS go in as given: the API's own schema judges them once the chart
  // has assembled the API's environment (api-environment-check.ts), in the API's words.
  if (overrides.TRISTACK_LOG_LEVEL !== undefined) {
    config.api.logLevel = overrides.TRISTACK_LOG_LEVEL;
  }
  if (overrides.TRISTACK_CORS_ORIGINS !== undefined) {
    config.api.corsOrigins = overrides.TRISTACK_CORS_ORIGINS;
  }
}

function applyNetworkOverrides(config: StackConfig, overrides: Overrides): void {
  if (overrides.TRISTACK_NAMESPACE !== undefined) {
    config.namespace = matching(
      'TRISTACK_NAMESPACE',
      overrides.TRISTACK_NAMESPACE,
      DNS_LABEL,
      'a DNS label (lowercase letters, digits, "-")',
    );
  }
  if (overrides.TRISTACK_INGRESS_HOST !== undefined) {
    config.ingress.host = matching(
      'TRISTACK_INGRESS_HOST',
      overrides.TRISTACK_INGRESS_HOST,
      DNS_SUBDOMAIN,
      'a DNS name such as tristack.example.com',
    );
  }
  if (overrides.TRISTACK_INGRESS_CLASS !== undefined) {
    config.ingress.className = matching(
      'TRISTACK_INGRESS_CLASS',
      overrides.TRISTACK_INGRESS_CLASS,
      DNS_SUBDOMAIN,
      'an IngressClass name',
    );
  }
  if (overrides.TRISTACK_INGRESS_TLS_SECRET !== undefined) {
    config.ingress.tlsSecretName = matching(
      'TRISTACK_INGRESS_TLS_SECRET',
      overrides.TRISTACK_INGRESS_TLS_SECRET,
      DNS_SUBDOMAIN,
      'a Secret name',
    );
  }
  if (config.ingress.tlsSecretName !== undefined && config.ingress.host === undefined) {
    throw new StackConfigError('TLS needs a host: set TRISTACK_INGRESS_HOST');
  }
  if (overrides.TRISTACK_INGRESS_CONTROLLER_NAMESPACE !== undefined) {
    config.network.ingressControllerNamespace = matching(
      'TRISTACK_INGRESS_CONTROLLER_NAMESPACE',
      overrides.TRISTACK_INGRESS_CONTROLLER_NAMESPACE,
      DNS_LABEL,
      'a namespace name',
    );
  }
  if (overrides.TRISTACK_METRICS_NAMESPACE !== undefined) {
    config.network.metricsScraperNamespace = matching(
      'TRISTACK_METRICS_NAMESPACE',
      overrides.TRISTACK_METRICS_NAMESPACE,
      DNS_LABEL,
      'a namespace name',
    );
  }
}

/** The parts TRISTACK_MONITORING may list, and the config switch each one turns on. */
export const MONITORING_PARTS = {
  'service-monitor': 'serviceMonitor',
  dashboard: 'dashboard',
} as const satisfies Record<string, keyof StackConfig['monitoring']>;
const NO_MONITORING = 'none';

function applyMonitoringOverride(config: StackConfig, overrides: Overrides): void {
  const value = overrides.TRISTACK_MONITORING;
  if (value === undefined) return;
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const known = Object.keys(MONITORING_PARTS);
  const unknown = parts.filter((part) => !known.includes(part) && part !== NO_MONITORING);
  if (
    unknown.length > 0 ||
    parts.length === 0 ||
    (parts.includes(NO_MONITORING) && parts.length > 1)
  ) {
    throw new StackConfigError(
      `TRISTACK_MONITORING="${value}" must be "${NO_MONITORING}" or a comma-separated list of ${known.join(', ')}`,
    );
  }
  config.monitoring = { serviceMonitor: false, dashboard: false };
  for (const part of parts) {
    if (part !== NO_MONITORING)
      config.monitoring[MONITORING_PARTS[part as keyof typeof MONITORING_PARTS]] = true;
  }
}

/** A ServiceMonitor whose Prometheus the NetworkPolicy shuts out would scrape nothing. */
function checkMonitoring(config: StackConfig): void {
  if (config.monitoring.serviceMonitor && config.network.metricsScraperNamespace === undefined) {
    throw new StackConfigError(
      "a ServiceMonitor needs TRISTACK_METRICS_NAMESPACE (Prometheus's namespace), or the API's NetworkPolicy blocks its scrapes",
    );
  }
}

/**
 * The configuration for an environment with the TRISTACK_* overrides applied.
 * Throws a StackConfigError naming the variable when a value is unusable.
 */
export function resolveStackConfig(
  environment: string,
  env: Record<string, string | undefined> = {},
): StackConfig {
  const config = environmentConfig(environment);
  const overrides = presentOverrides(env);
  applyImageOverrides(config, overrides);
  applyExternalDatabase(config, overrides);
  applyInClusterDatabase(config, overrides);
  applySecretOverride(config, overrides);
  applyWorkloadOverrides(config, overrides);
  applyNetworkOverrides(config, overrides);
  applyMonitoringOverride(config, overrides);
  checkMonitoring(config);
  config.overrides = overrides;
  return config;
}

/** The environment named by TRISTACK_ENV, `dev` when unset. */
export function environmentFromEnv(env: Record<string, string | undefined>): string {
  const name = env.TRISTACK_ENV;
  return name === undefined || name === '' ? 'dev' : name;
}
