// What docs/contract.md and docs/containers.md ask of docker-compose.yml, checked on the
// configuration that `docker-compose config` resolved (.env interpolated, relative paths made
// absolute).
import { join } from 'node:path';
import { SHUTDOWN_GRACE_MS } from '../../api/src/server.ts';
import { SHUTDOWN_MARGIN_SECONDS } from '../../k8s/src/api.ts';
import { monitoringProblems, servicesWithoutProfile } from './compose-monitoring-rules.ts';
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
}

const SERVICES = ['db', 'api', 'front'] as const;
const RESTART_POLICY = 'unless-stopped';
const HEALTHY = 'service_healthy';
// Renovate may add the digest after the tag.
const MYSQL_IMAGE = /^mysql:8\.4\.\d+(?:@sha256:[a-f0-9]{64})?$/;
const MYSQL_DATA_DIR = '/var/lib/mysql';
const INITDB_DIR = '/docker-entrypoint-initdb.d/';
const NO_NEW_PRIVILEGES = /^no-new-privileges(?::true)?$/;
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
  if (names.join() !== [...SERVICES].sort().join()) {
    problems.push(
      `services without a profile must be exactly ${SERVICES.join(', ')}; found ${names.join(', ') || 'none'}`,
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
  const { db, api, front } = config.services ?? {};
  if (db) problems.push(...databaseProblems(db, config, expected));
  if (api) problems.push(...apiProblems(api, expected));
  if (front) problems.push(...frontProblems(front, expected));
  if (db && api) problems.push(...credentialProblems(db, api));
  if (db && api && front) problems.push(...networkProblems(config, db, api, front));
  problems.push(...monitoringProblems(config));
  return problems;
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

/** The app user and database must be the same on both sides, or the API cannot log in. */
function credentialProblems(db: ResolvedService, api: ResolvedService): string[] {
  return ['MYSQL_DATABASE', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_PASSWORD_FILE']
    .filter(
      (name) => String(db.environment?.[name] ?? '') !== String(api.environment?.[name] ?? ''),
    )
    .map((name) => `db and api: ${name} differs, so the API could not log in`);
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

function hardeningProblems(name: string, service: ResolvedService): string[] {
  const problems: string[] = [];
  if (service.read_only !== true) problems.push(`${name}: root filesystem must be read_only`);
  const tmpfs = [service.tmpfs ?? []].flat();
  if (!tmpfs.some((mount) => mount.split(':')[0] === '/tmp'))
    problems.push(`${name}: needs a tmpfs on /tmp`);
  if (!service.cap_drop?.includes('ALL')) problems.push(`${name}: cap_drop must include ALL`);
  if (!service.security_opt?.some((option) => NO_NEW_PRIVILEGES.test(option))) {
    problems.push(`${name}: security_opt must include no-new-privileges`);
  }
  return problems;
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
