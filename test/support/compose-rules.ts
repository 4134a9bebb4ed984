// What docs/contract.md and docs/containers.md ask of docker-compose.yml, checked on the
// configuration that `docker-compose config` resolved (.env interpolated, relative paths made
// absolute).
import { join } from 'node:path';
import { SHUTDOWN_GRACE_MS } from '../../api/src/config.ts';
import { SHUTDOWN_MARGIN_SECONDS } from '../../k8s/src/api.ts';
import { BACKUP_PROFILE, backupProblems } from './compose-backup-rules.ts';
import { hardeningProblems } from './compose-hardening.ts';
import {
  MONITORING_PROFILE,
  monitoringProblems,
  servicesWithoutProfile,
} from './compose-monitoring-rules.ts';
import {
  PUBLISH_ADDRESS,
  publishedPorts,
  type ResolvedCompose,
  type ResolvedService,
} from './docker-compose.ts';
import { REPO_ROOT } from './repo.ts';

export interface ComposeExpectations {
  /** The names the API reads (API_ENV_VARS): compose must set exactly these. */
  apiEnvNames: readonly string[];
  ports: { db: number; api: number; front: number };
  images: { api: string; front: string };
  /** Absolute path of db/init.sql. */
  initSqlPath: string;
  /** The API's readiness route, which `service_healthy` must mean. */
  readinessPath: string;
  /** The migrations' command in the API image. */
  migrateCommand: readonly string[];
}

/** The long-running services. */
const SERVICES = ['db', 'api', 'front'] as const;
/** The one-shot service that applies the migrations before the API starts. */
const MIGRATE = 'migrate';
const COMPLETED = 'service_completed_successfully';
const RESTART_POLICY = 'unless-stopped';
const HEALTHY = 'service_healthy';
// Renovate may add the digest after the tag.
const MYSQL_IMAGE = /^mysql:8\.4\.\d+(?:@sha256:[a-f0-9]{64})?$/;
const MYSQL_DATA_DIR = '/var/lib/mysql';
const INITDB_DIR = '/docker-entrypoint-initdb.d/';
/** What `docker stop` and `docker compose stop` wait without stop_grace_period. */
const DOCKER_STOP_TIMEOUT_SECONDS = 10;
/** Time for MySQL to flush InnoDB on SIGTERM, as the Kubernetes StatefulSet allows. */
const DB_STOP_GRACE_SECONDS = 60;
const DURATION_UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };

/** Every contract violation in the resolved configuration, one readable line each. */
export function composeContractProblems(
  config: ResolvedCompose,
  expected: ComposeExpectations,
): string[] {
  const problems: string[] = [];
  // The monitoring profile's services are held to their own rules (compose-monitoring-rules.ts).
  const names = servicesWithoutProfile(config);
  const wanted = [...SERVICES, MIGRATE].sort();
  if (names.join() !== wanted.join()) {
    problems.push(
      `services without a profile must be exactly ${wanted.join(', ')}; found ${names.join(', ') || 'none'}`,
    );
  }
  for (const name of SERVICES) {
    const service = config.services?.[name];
    if (!service) continue;
    if (service.restart !== RESTART_POLICY)
      problems.push(`${name}: restart must be ${RESTART_POLICY}`);
    if (!service.healthcheck?.test || service.healthcheck.disable) {
      problems.push(`${name}: needs a healthcheck (depends_on waits on ${HEALTHY})`);
    }
  }
  const { db, api, front, migrate } = config.services ?? {};
  if (db) problems.push(...databaseProblems(db, config, expected));
  if (api) problems.push(...apiProblems(api, expected));
  if (front) problems.push(...frontProblems(front, expected));
  if (migrate && api) problems.push(...migrateProblems(migrate, api, expected));
  if (db && api) problems.push(...credentialProblems(db, api, 'api'));
  if (db && migrate) problems.push(...credentialProblems(db, migrate, MIGRATE));
  if (db && api && front) problems.push(...networkProblems(config, db, api, front));
  problems.push(...monitoringProblems(config));
  problems.push(...backupProblems(config));
  problems.push(...profileProblems(config));
  return problems;
}

const PROFILES = [MONITORING_PROFILE, BACKUP_PROFILE];

/** A service under another profile would escape every rule above. */
function profileProblems(config: ResolvedCompose): string[] {
  return Object.entries(config.services ?? {})
    .filter(([, service]) => (service.profiles ?? []).length > 0)
    .filter(
      ([, service]) =>
        !(service.profiles?.length === 1 && PROFILES.includes(service.profiles[0] ?? '')),
    )
    .map(
      ([name, service]) =>
        `${name}: profiles must be one of ${PROFILES.join(', ')}; found ${service.profiles?.join(', ')}`,
    );
}

function databaseProblems(
  db: ResolvedService,
  config: ResolvedCompose,
  expected: ComposeExpectations,
): string[] {
  const problems: string[] = [];
  if (!MYSQL_IMAGE.test(db.image ?? '')) {
    problems.push(
      `db: image must be mysql:8.4 pinned to a patch version (mysql:8.4.N); found ${db.image}`,
    );
  }
  if (publishedPorts(db).length)
    problems.push('db: must not publish a port (only the API reaches MySQL)');
  const test = commandOf(db.healthcheck?.test);
  if (!(test.includes('mysqladmin') && test.includes('ping') && hasPair(test, '-h', '127.0.0.1'))) {
    problems.push(
      'db: healthcheck must be `mysqladmin ping -h 127.0.0.1` (TCP, not the init-time socket)',
    );
  }
  const mounts = (db.volumes ?? []).map(parseMount);
  const data = mounts.find((mount) => mount.target === MYSQL_DATA_DIR);
  if (!data || !(data.source in (config.volumes ?? {}))) {
    problems.push(`db: ${MYSQL_DATA_DIR} must be a named volume, so data survives the container`);
  }
  const init = mounts.find((mount) => mount.source === expected.initSqlPath);
  if (!init?.target.startsWith(INITDB_DIR) || !init.readOnly) {
    problems.push(`db: ${expected.initSqlPath} must be mounted read-only into ${INITDB_DIR}`);
  }
  if (!db.environment?.MYSQL_USER || db.environment.MYSQL_USER === 'root') {
    problems.push('db: MYSQL_USER must name an app user (the mysql image refuses root)');
  }
  problems.push(...stopGraceProblems('db', db, DB_STOP_GRACE_SECONDS, 'for MySQL to flush InnoDB'));
  return problems;
}

function apiProblems(api: ResolvedService, expected: ComposeExpectations): string[] {
  const problems: string[] = [];
  if (imageRepository(api.image) !== expected.images.api) {
    problems.push(`api: image must be ${expected.images.api}; found ${api.image}`);
  }
  if (
    trimSlash(api.build?.context) !== trimSlash(REPO_ROOT) ||
    api.build?.dockerfile !== 'api/Dockerfile'
  ) {
    problems.push(
      'api: must build api/Dockerfile with the repository root as context (one lockfile)',
    );
  }
  if (api.depends_on?.db?.condition !== HEALTHY)
    problems.push(`api: must depend on db being ${HEALTHY}`);
  const environment = api.environment ?? {};
  const set = Object.keys(environment).sort();
  const wanted = [...expected.apiEnvNames].sort();
  const missing = wanted.filter((name) => !set.includes(name));
  const unknown = set.filter((name) => !wanted.includes(name));
  if (missing.length)
    problems.push(`api: environment lacks ${missing.join(', ')} (the API reads them)`);
  if (unknown.length)
    problems.push(`api: environment sets ${unknown.join(', ')}, which the API never reads`);
  if (environment.MYSQL_HOST !== 'db')
    problems.push('api: MYSQL_HOST must be db (the service name)');
  if (String(environment.MYSQL_PORT) !== String(expected.ports.db)) {
    problems.push(`api: MYSQL_PORT must be ${expected.ports.db}`);
  }
  if (String(environment.API_PORT) !== String(expected.ports.api)) {
    problems.push(
      `api: API_PORT must be ${expected.ports.api} inside the network (the front proxies there)`,
    );
  }
  problems.push(...publishedPortProblems('api', api, expected.ports.api));
  const probes = healthcheckUrls(api);
  const readiness = `http://127.0.0.1:${expected.ports.api}${expected.readinessPath}`;
  if (!probes.includes(readiness)) problems.push(`api: healthcheck must ask ${readiness}`);
  problems.push(...hardeningProblems('api', api));
  const delaySeconds = Number(environment.SHUTDOWN_DELAY_MS ?? 0) / 1000;
  const drainSeconds = SHUTDOWN_GRACE_MS / 1000;
  problems.push(
    ...stopGraceProblems(
      'api',
      api,
      delaySeconds + drainSeconds + SHUTDOWN_MARGIN_SECONDS,
      `for SHUTDOWN_DELAY_MS (${delaySeconds} s), the drain (${drainSeconds} s) and a margin (${SHUTDOWN_MARGIN_SECONDS} s)`,
    ),
  );
  return problems;
}

function frontProblems(front: ResolvedService, expected: ComposeExpectations): string[] {
  const problems: string[] = [];
  if (imageRepository(front.image) !== expected.images.front) {
    problems.push(`front: image must be ${expected.images.front}; found ${front.image}`);
  }
  if (
    trimSlash(front.build?.context) !== join(REPO_ROOT, 'front') ||
    front.build?.dockerfile !== 'Dockerfile'
  ) {
    problems.push('front: must build front/Dockerfile');
  }
  if (front.depends_on?.api?.condition !== HEALTHY)
    problems.push(`front: must depend on api being ${HEALTHY}`);
  problems.push(...publishedPortProblems('front', front, expected.ports.front));
  problems.push(...hardeningProblems('front', front));
  return problems;
}

/**
 * The migrations run from the API's image, before it, as the app user, on the database network
 * only, hardened like the API; and the API starts only once they exited 0.
 */
function migrateProblems(
  migrate: ResolvedService,
  api: ResolvedService,
  expected: ComposeExpectations,
): string[] {
  const problems: string[] = [];
  if (migrate.image !== api.image) {
    problems.push(`migrate: image must be the api's (${api.image}); found ${migrate.image}`);
  }
  if (JSON.stringify(migrate.build) !== JSON.stringify(api.build)) {
    problems.push('migrate: must build exactly as api does (docker-compose 1.29 would pull it)');
  }
  if (commandOf(migrate.command).join(' ') !== expected.migrateCommand.join(' ')) {
    problems.push(`migrate: command must be ${expected.migrateCommand.join(' ')}`);
  }
  if ((migrate.restart ?? 'no') !== 'no') {
    problems.push('migrate: restart must be "no" (a one-shot; a failure must stay visible)');
  }
  if (migrate.depends_on?.db?.condition !== HEALTHY) {
    problems.push(`migrate: must depend on db being ${HEALTHY}`);
  }
  if (api.depends_on?.[MIGRATE]?.condition !== COMPLETED) {
    problems.push(`api: must depend on migrate being ${COMPLETED}`);
  }
  const environment = migrate.environment ?? {};
  const mysqlNames = expected.apiEnvNames.filter((name) => name.startsWith('MYSQL_'));
  const unknown = Object.keys(environment).filter((name) => !mysqlNames.includes(name));
  if (unknown.length) {
    problems.push(`migrate: environment sets ${unknown.join(', ')}; it reads MYSQL_* only`);
  }
  if (environment.MYSQL_HOST !== 'db') problems.push('migrate: MYSQL_HOST must be db');
  if (environment.MYSQL_USER === 'root') {
    problems.push('migrate: runs as the app user, never root (docs/database.md)');
  }
  if (!migrate.healthcheck?.disable && !commandOf(migrate.healthcheck?.test).includes('NONE')) {
    problems.push(
      "migrate: healthcheck must be disabled (the image's asks an API it does not run)",
    );
  }
  if (publishedPorts(migrate).length) problems.push('migrate: must not publish a port');
  const networks = Object.keys(migrate.networks ?? { default: null });
  if (networks.join() !== 'backend') {
    problems.push(`migrate: must join backend only; found ${networks.join(', ')}`);
  }
  if (migrate.user === 'root' || migrate.user === '0') {
    problems.push("migrate: must run as the image's non-root user");
  }
  problems.push(...hardeningProblems(MIGRATE, migrate));
  return problems;
}

/** The app user and database must be the same on both sides, or `name` cannot log in. */
function credentialProblems(db: ResolvedService, client: ResolvedService, name: string): string[] {
  return ['MYSQL_DATABASE', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_PASSWORD_FILE']
    .filter(
      (variable) =>
        String(db.environment?.[variable] ?? '') !== String(client.environment?.[variable] ?? ''),
    )
    .map((variable) => `db and ${name}: ${variable} differs, so ${name} could not log in`);
}

function networkProblems(
  config: ResolvedCompose,
  db: ResolvedService,
  api: ResolvedService,
  front: ResolvedService,
): string[] {
  const problems: string[] = [];
  const networksOf = (service: ResolvedService) =>
    Object.keys(service.networks ?? { default: null });
  const shared = (a: ResolvedService, b: ResolvedService) =>
    networksOf(a).filter((network) => networksOf(b).includes(network));
  const frontToDb = shared(front, db);
  if (frontToDb.length)
    problems.push(
      `front and db share ${frontToDb.join(', ')}: the front must not reach the database`,
    );
  if (!shared(api, db).length) problems.push('api and db share no network');
  if (!shared(api, front).length) problems.push('api and front share no network');
  for (const network of networksOf(db)) {
    if (!config.networks?.[network]?.internal)
      problems.push(`db: network ${network} must be internal`);
  }
  return problems;
}

function publishedPortProblems(
  name: string,
  service: ResolvedService,
  containerPort: number,
): string[] {
  const ports = publishedPorts(service);
  if (ports.length !== 1 || ports[0]?.target !== containerPort) {
    return [`${name}: must publish exactly container port ${containerPort}`];
  }
  if (ports[0]?.hostIp !== PUBLISH_ADDRESS) {
    return [`${name}: must publish port ${containerPort} on ${PUBLISH_ADDRESS} only`];
  }
  return [];
}

/**
 * The seconds a service gets between SIGTERM and SIGKILL: its stop_grace_period, else Docker's
 * default; undefined when the period is not a compose duration.
 */
export function stopGraceSeconds(service: ResolvedService): number | undefined {
  const written = service.stop_grace_period;
  return written === undefined ? DOCKER_STOP_TIMEOUT_SECONDS : durationSeconds(written);
}

/** A service must get `neededSeconds` between SIGTERM and SIGKILL. */
function stopGraceProblems(
  name: string,
  service: ResolvedService,
  neededSeconds: number,
  why: string,
): string[] {
  const written = service.stop_grace_period;
  const seconds = stopGraceSeconds(service);
  if (seconds !== undefined && seconds >= neededSeconds) return [];
  return [
    `${name}: stop_grace_period must be at least ${neededSeconds}s ${why}; found ${written ?? `none (docker's ${DOCKER_STOP_TIMEOUT_SECONDS}s)`}`,
  ];
}

/** "1m30s" -> 90; undefined when the text is not a compose duration. */
function durationSeconds(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce(
    (sum, [, amount, unit]) => sum + Number(amount) * (DURATION_UNIT_SECONDS[unit ?? ''] ?? 0),
    0,
  );
}

/** The URLs a healthcheck command asks, for checking them against the API's routes. */
export function healthcheckUrls(service: ResolvedService): string[] {
  const text = commandOf(service.healthcheck?.test).join(' ');
  return [...text.matchAll(/https?:\/\/[^'"\s)]+/g)].map((match) => match[0]);
}

function commandOf(test: string[] | string | undefined): string[] {
  if (!test) return [];
  return Array.isArray(test) ? test : ['CMD-SHELL', test];
}

function hasPair(words: string[], flag: string, value: string): boolean {
  return words.some((word, index) => word === flag && words[index + 1] === value);
}

function parseMount(spec: string): { source: string; target: string; readOnly: boolean } {
  const [source = '', target = '', mode = ''] = spec.split(':');
  return { source, target, readOnly: mode.split(',').includes('ro') };
}

/** "registry/tristack-api:dev" -> "tristack-api". */
export function imageRepository(image: string | undefined): string {
  const withoutDigest = (image ?? '').split('@')[0] ?? '';
  const lastPart = withoutDigest.split('/').pop() ?? '';
  return lastPart.split(':')[0] ?? '';
}

function trimSlash(path: string | undefined): string {
  return (path ?? '').replace(/\/+$/, '');
}
