// The TRISTACK_* environment variables: the few settings a user changes without editing code
// (registry, tag, host, storage, an existing Secret, an external database). Only main.ts hands
// process.env here. One zod schema says what each variable accepts; every refusal names its
// variable. Values bound for the API's environment (TRISTACK_LOG_LEVEL, TRISTACK_CORS_ORIGINS)
// are left to the API's own schema, which judges the rendered ConfigMap
// (api-environment-check.ts), so the API's rules are written once.
import { z } from 'zod';
import { environmentConfig, type ImageRef, type StackConfig, StackConfigError } from './config.ts';
import { IMAGE_NAMES, PORTS } from './contract.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_REPOSITORY = /^[a-z0-9]+([._/:-][a-z0-9]+)*$/;
const MAX_REPLICAS = 100;
const MAX_BACKUPS_KEPT = 1000;
/** TRISTACK_BACKUP_SCHEDULE's word for no CronJob at all. */
export const BACKUP_OFF = 'off';
const BACKUP_SCHEDULE_EXPECTED = `must be "${BACKUP_OFF}" or a five-field cron schedule of numbers, ranges, steps and lists, such as "17 3 * * *"`;

// minute, hour, day of month, month, day of week (0 and 7 are Sunday), as the CronJob controller
// reads them; names (MON, JAN) and macros (@daily) are left out to keep one spelling.
const CRON_FIELD_BOUNDS: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const CRON_TERM = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

function cronFieldIsValid(field: string, [min, max]: readonly [number, number]): boolean {
  return field.split(',').every((term) => {
    const match = CRON_TERM.exec(term);
    if (!match) return false;
    const [, , from, to, step] = match;
    const inBounds = (value: string | undefined) =>
      value === undefined || (Number(value) >= min && Number(value) <= max);
    if (step !== undefined && Number(step) < 1) return false;
    return inBounds(from) && inBounds(to) && (to === undefined || Number(to) >= Number(from));
  });
}

/** A cron schedule's five fields, each within its bounds. */
export function isCronSchedule(schedule: string): boolean {
  const fields = schedule.trim().split(/\s+/);
  return (
    fields.length === CRON_FIELD_BOUNDS.length &&
    fields.every((field, index) => cronFieldIsValid(field, CRON_FIELD_BOUNDS[index] ?? [0, 0]))
  );
}

const backupSchedule = z
  .string()
  .refine((value) => value === BACKUP_OFF || isCronSchedule(value), BACKUP_SCHEDULE_EXPECTED)
  .transform((value) => (value === BACKUP_OFF ? undefined : value.trim().split(/\s+/).join(' ')));

/** The parts TRISTACK_MONITORING may list, and the config switch each one turns on. */
export const MONITORING_PARTS = {
  'service-monitor': 'serviceMonitor',
  dashboard: 'dashboard',
} as const satisfies Record<string, keyof StackConfig['monitoring']>;
type MonitoringPart = keyof typeof MONITORING_PARTS;
const NO_MONITORING = 'none';

const matching = (pattern: RegExp, expected: string) =>
  z.string().regex(pattern, `must be ${expected}`);

const replicas = z.coerce.number().int().min(1).max(MAX_REPLICAS);

const imageTag = matching(IMAGE_TAG, 'an image tag (letters, digits, ".", "_", "-")').refine(
  (tag) => tag !== 'latest',
  'must be pinned to a version, not "latest"',
);

// The tag is after the last colon that follows the last slash (a registry may carry a port).
const imageReference = z
  .string()
  .refine(
    (reference) => reference.lastIndexOf(':') > reference.lastIndexOf('/'),
    'must include a tag, such as mysql:8.4',
  )
  .transform((reference): ImageRef => {
    const tagAt = reference.lastIndexOf(':');
    return { repository: reference.slice(0, tagAt), tag: reference.slice(tagAt + 1) };
  })
  .pipe(
    z.object({
      repository: matching(IMAGE_REPOSITORY, 'an image repository such as mysql'),
      tag: imageTag,
    }),
  );

const monitoringParts = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  )
  .pipe(
    z.union([
      z.tuple([z.literal(NO_MONITORING)]),
      z.array(z.enum(Object.keys(MONITORING_PARTS) as [MonitoringPart])).nonempty(),
    ]),
  );

// Checked here and not left to the API's schema: the port is also the NetworkPolicy's egress port.
const port = z.coerce.number().int().min(1).max(65_535);

const schema = z
  .strictObject({
    /** Picks the environment (environmentFromEnv); `dev` when unset. */
    TRISTACK_ENV: z.string(),
    TRISTACK_NAMESPACE: matching(DNS_LABEL, 'a DNS label (lowercase letters, digits, "-")'),
    TRISTACK_IMAGE_REGISTRY: z
      .string()
      .transform((registry) => registry.replace(/\/+$/, ''))
      .pipe(matching(IMAGE_REPOSITORY, 'a registry path such as ghcr.io/acme')),
    TRISTACK_IMAGE_TAG: imageTag,
    TRISTACK_MYSQL_IMAGE: imageReference,
    TRISTACK_API_REPLICAS: replicas,
    TRISTACK_API_MAX_REPLICAS: replicas,
    TRISTACK_FRONT_REPLICAS: replicas,
    TRISTACK_LOG_LEVEL: z.string(),
    TRISTACK_CORS_ORIGINS: z.string(),
    TRISTACK_STORAGE_SIZE: matching(QUANTITY, 'a Kubernetes quantity such as 10Gi'),
    TRISTACK_STORAGE_CLASS: matching(DNS_SUBDOMAIN, 'a StorageClass name'),
    TRISTACK_INGRESS_HOST: matching(DNS_SUBDOMAIN, 'a DNS name such as tristack.example.com'),
    TRISTACK_INGRESS_CLASS: matching(DNS_SUBDOMAIN, 'an IngressClass name'),
    TRISTACK_INGRESS_TLS_SECRET: matching(DNS_SUBDOMAIN, 'a Secret name'),
    TRISTACK_DB_SECRET_NAME: matching(DNS_SUBDOMAIN, 'a Secret name'),
    TRISTACK_EXTERNAL_MYSQL_HOST: matching(DNS_SUBDOMAIN, 'a DNS name such as mysql.example.com'),
    TRISTACK_EXTERNAL_MYSQL_PORT: port,
    TRISTACK_INGRESS_CONTROLLER_NAMESPACE: matching(DNS_LABEL, 'a namespace name'),
    TRISTACK_METRICS_NAMESPACE: matching(DNS_LABEL, 'a namespace name'),
    TRISTACK_MONITORING: monitoringParts,
    TRISTACK_BACKUP_SCHEDULE: backupSchedule,
    TRISTACK_BACKUP_KEEP: z.coerce.number().int().min(0).max(MAX_BACKUPS_KEPT),
  })
  .partial();

/** Names this module reads from the environment, from the schema: the docs list the same. */
export const OVERRIDE_VARIABLES = Object.keys(schema.shape) as readonly OverrideVariable[];
export type OverrideVariable = keyof typeof schema.shape;
type Overrides = z.infer<typeof schema>;

/** What each variable accepts, in words: the message of a refusal, the same for every rule. */
const EXPECTED: Partial<Record<OverrideVariable, string>> = {
  TRISTACK_API_REPLICAS: `must be a whole number from 1 to ${MAX_REPLICAS}`,
  TRISTACK_API_MAX_REPLICAS: `must be a whole number from 1 to ${MAX_REPLICAS}`,
  TRISTACK_FRONT_REPLICAS: `must be a whole number from 1 to ${MAX_REPLICAS}`,
  TRISTACK_EXTERNAL_MYSQL_PORT: 'must be a port from 1 to 65535',
  TRISTACK_BACKUP_SCHEDULE: BACKUP_SCHEDULE_EXPECTED,
  TRISTACK_BACKUP_KEEP: `must be a whole number from 0 (keep every dump) to ${MAX_BACKUPS_KEPT}`,
  TRISTACK_MONITORING: `must be "${NO_MONITORING}" or a comma-separated list of ${Object.keys(MONITORING_PARTS).join(', ')}`,
};

// Settings that only make sense for a MySQL running in the cluster.
const IN_CLUSTER_ONLY = [
  'TRISTACK_MYSQL_IMAGE',
  'TRISTACK_STORAGE_SIZE',
  'TRISTACK_STORAGE_CLASS',
  // The backup runs mysqldump of the in-cluster server's image; a managed MySQL has its own.
  'TRISTACK_BACKUP_SCHEDULE',
  'TRISTACK_BACKUP_KEEP',
] as const satisfies OverrideVariable[];

/** The TRISTACK_* variables of `env` that are set; empty values count as unset. */
function presentOverrides(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith('TRISTACK_') && entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, string>): string {
  if (issue.code === 'unrecognized_keys') {
    // A misspelt override would otherwise be ignored without a word.
    return `unknown variable ${[...issue.keys].sort().join(', ')}: the settings are ${OVERRIDE_VARIABLES.join(', ')}`;
  }
  const variable = String(issue.path[0]) as OverrideVariable;
  return `${variable}="${raw[variable]}" ${EXPECTED[variable] ?? issue.message}`;
}

/** The overrides parsed by the schema; throws a StackConfigError naming every bad variable. */
function parseOverrides(raw: Record<string, string>): Overrides {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => describeIssue(issue, raw));
    throw new StackConfigError([...new Set(messages)].join('; '));
  }
  const overrides = parsed.data;
  if (overrides.TRISTACK_EXTERNAL_MYSQL_HOST === undefined) {
    if (overrides.TRISTACK_EXTERNAL_MYSQL_PORT !== undefined) {
      throw new StackConfigError(
        'TRISTACK_EXTERNAL_MYSQL_PORT is set without TRISTACK_EXTERNAL_MYSQL_HOST',
      );
    }
  } else {
    const conflicting = IN_CLUSTER_ONLY.find((name) => overrides[name] !== undefined);
    if (conflicting !== undefined) {
      throw new StackConfigError(
        `${conflicting} has no effect with TRISTACK_EXTERNAL_MYSQL_HOST: unset one`,
      );
    }
  }
  return overrides;
}

function applyDatabase(config: StackConfig, overrides: Overrides): void {
  const { database } = config;
  if (overrides.TRISTACK_EXTERNAL_MYSQL_HOST !== undefined) {
    config.database = {
      mode: 'external',
      host: overrides.TRISTACK_EXTERNAL_MYSQL_HOST,
      port: overrides.TRISTACK_EXTERNAL_MYSQL_PORT ?? PORTS.db,
      name: database.name,
      user: database.user,
    };
  } else if (database.mode === 'in-cluster') {
    database.image = overrides.TRISTACK_MYSQL_IMAGE ?? database.image;
    database.storageSize = overrides.TRISTACK_STORAGE_SIZE ?? database.storageSize;
    database.storageClassName = overrides.TRISTACK_STORAGE_CLASS ?? database.storageClassName;
  }
  if (config.database.mode === 'external') {
    config.backup.schedule = undefined;
  } else if ('TRISTACK_BACKUP_SCHEDULE' in overrides) {
    config.backup.schedule = overrides.TRISTACK_BACKUP_SCHEDULE;
  }
  config.backup.keep = overrides.TRISTACK_BACKUP_KEEP ?? config.backup.keep;
  if (overrides.TRISTACK_DB_SECRET_NAME !== undefined) {
    // Naming a Secret means "it exists already": the chart then never generates one.
    config.databaseSecret = { name: overrides.TRISTACK_DB_SECRET_NAME, generateDevValues: false };
  }
}

function applyWorkloads(config: StackConfig, overrides: Overrides): void {
  const { api, front } = config;
  const registry = overrides.TRISTACK_IMAGE_REGISTRY;
  if (registry !== undefined) {
    api.image.repository = `${registry}/${IMAGE_NAMES.api}`;
    front.image.repository = `${registry}/${IMAGE_NAMES.front}`;
  }
  api.image.tag = overrides.TRISTACK_IMAGE_TAG ?? api.image.tag;
  front.image.tag = overrides.TRISTACK_IMAGE_TAG ?? front.image.tag;
  api.replicas = overrides.TRISTACK_API_REPLICAS ?? api.replicas;
  // Never an impossible autoscaler: the maximum rises to the minimum.
  api.maxReplicas = Math.max(overrides.TRISTACK_API_MAX_REPLICAS ?? api.maxReplicas, api.replicas);
  front.replicas = overrides.TRISTACK_FRONT_REPLICAS ?? front.replicas;
  api.logLevel = overrides.TRISTACK_LOG_LEVEL ?? api.logLevel;
  api.corsOrigins = overrides.TRISTACK_CORS_ORIGINS ?? api.corsOrigins;
}

function applyNetwork(config: StackConfig, overrides: Overrides): void {
  const { ingress, network } = config;
  config.namespace = overrides.TRISTACK_NAMESPACE ?? config.namespace;
  ingress.host = overrides.TRISTACK_INGRESS_HOST ?? ingress.host;
  ingress.className = overrides.TRISTACK_INGRESS_CLASS ?? ingress.className;
  ingress.tlsSecretName = overrides.TRISTACK_INGRESS_TLS_SECRET ?? ingress.tlsSecretName;
  network.ingressControllerNamespace =
    overrides.TRISTACK_INGRESS_CONTROLLER_NAMESPACE ?? network.ingressControllerNamespace;
  network.metricsScraperNamespace =
    overrides.TRISTACK_METRICS_NAMESPACE ?? network.metricsScraperNamespace;
  const parts = overrides.TRISTACK_MONITORING;
  if (parts !== undefined) {
    config.monitoring = { serviceMonitor: false, dashboard: false };
    for (const part of parts) {
      if (part !== NO_MONITORING) config.monitoring[MONITORING_PARTS[part]] = true;
    }
  }
}

/** Combinations that depend on the environment's own values too, not only on the variables. */
function checkCombinations(config: StackConfig): void {
  if (config.ingress.tlsSecretName !== undefined && config.ingress.host === undefined) {
    throw new StackConfigError('TLS needs a host: set TRISTACK_INGRESS_HOST');
  }
  // A ServiceMonitor whose Prometheus the NetworkPolicy shuts out would scrape nothing.
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
  const raw = presentOverrides(env);
  const overrides = parseOverrides(raw);
  applyDatabase(config, overrides);
  applyWorkloads(config, overrides);
  applyNetwork(config, overrides);
  checkCombinations(config);
  config.overrides = raw;
  return config;
}

/** The environment named by TRISTACK_ENV, `dev` when unset. */
export function environmentFromEnv(env: Record<string, string | undefined>): string {
  const name = env.TRISTACK_ENV;
  return name === undefined || name === '' ? 'dev' : name;
}
