// What docs/monitoring.md promises of the `monitoring` profile in docker-compose.yml
// (Prometheus, Loki, Alloy, Grafana), checked on the configuration `docker-compose config`
// resolved.
import { existsSync } from 'node:fs';
import {
  PUBLISH_ADDRESS,
  publishedPorts,
  type ResolvedCompose,
  type ResolvedService,
} from './docker-compose.ts';
import { REPO_ROOT } from './repo.ts';

export const MONITORING_PROFILE = 'monitoring';
export const MONITORING_SERVICES = ['alloy', 'grafana', 'loki', 'prometheus'] as const;
const RESTART_POLICY = 'unless-stopped';
// A full version (1.2.3 or v1.2.3); Renovate may add the digest after the tag.
const PINNED_IMAGE = /^[a-z0-9./-]+:v?\d+\.\d+\.\d+(?:@sha256:[a-f0-9]{64})?$/;
const NO_NEW_PRIVILEGES = /^no-new-privileges(?::true)?$/;
// The capabilities a service may take back after dropping ALL, each for a stated reason in
// docker-compose.yml.
const ALLOWED_CAPABILITIES: Record<string, string[]> = { alloy: ['DAC_OVERRIDE'] };

// Who must reach whom: Prometheus scrapes the API, Grafana reads Prometheus and Loki, Alloy
// pushes to Loki.
const MUST_REACH: [string, string][] = [
  ['prometheus', 'api'],
  ['grafana', 'prometheus'],
  ['grafana', 'loki'],
  ['alloy', 'loki'],
];

/** docker-compose 1.29 writes a port with a host address in short form ("127.0.0.1:3000:3000/tcp"). */
function networksOf(service: ResolvedService): string[] {
  return Object.keys(service.networks ?? { default: null });
}

function shareNetwork(a: ResolvedService, b: ResolvedService): boolean {
  return networksOf(a).some((network) => networksOf(b).includes(network));
}

/** Services started by a plain `docker compose up` (no profile). */
export function servicesWithoutProfile(config: ResolvedCompose): string[] {
  return Object.entries(config.services ?? {})
    .filter(([, service]) => (service.profiles ?? []).length === 0)
    .map(([name]) => name)
    .sort();
}

function serviceProblems(name: string, service: ResolvedService, db?: ResolvedService): string[] {
  const problems: string[] = [];
  const profiles = service.profiles ?? [];
  if (profiles.length !== 1 || profiles[0] !== MONITORING_PROFILE) {
    problems.push(`${name}: must start only with the ${MONITORING_PROFILE} profile`);
  }
  if (!PINNED_IMAGE.test(service.image ?? '')) {
    problems.push(
      `${name}: image must be pinned to a full version (x.y.z); found ${service.image}`,
    );
  }
  if (service.restart !== RESTART_POLICY)
    problems.push(`${name}: restart must be ${RESTART_POLICY}`);
  if (db && shareNetwork(service, db)) {
    problems.push(`${name} and db share a network: monitoring must not reach the database`);
  }
  for (const port of publishedPorts(service)) {
    if (port.hostIp !== PUBLISH_ADDRESS) {
      problems.push(`${name}: port ${port.target} must be published on ${PUBLISH_ADDRESS} only`);
    }
  }
  if (!service.cap_drop?.includes('ALL')) problems.push(`${name}: cap_drop must include ALL`);
  const extra = (service.cap_add ?? []).filter(
    (capability) => !(ALLOWED_CAPABILITIES[name] ?? []).includes(capability),
  );
  if (extra.length > 0) problems.push(`${name}: must not add capabilities ${extra.join(', ')}`);
  if (!service.security_opt?.some((option) => NO_NEW_PRIVILEGES.test(option))) {
    problems.push(`${name}: security_opt must include no-new-privileges`);
  }
  for (const volume of service.volumes ?? []) {
    const [source = '', target = '', mode = ''] = volume.split(':');
    if (!source.startsWith('/')) continue;
    if (source.startsWith(REPO_ROOT) && !existsSync(source)) {
      problems.push(`${name}: mounts ${source}, which does not exist`);
    }
    if (!mode.split(',').includes('ro')) {
      problems.push(`${name}: ${source} must be mounted read-only at ${target}`);
    }
  }
  return problems;
}

/** Every problem of the monitoring profile, one readable line each. */
export function monitoringProblems(config: ResolvedCompose): string[] {
  const services = config.services ?? {};
  const problems: string[] = [];
  const profiled = Object.keys(services)
    .filter((name) => services[name]?.profiles?.includes(MONITORING_PROFILE))
    .sort();
  if (profiled.join() !== [...MONITORING_SERVICES].join()) {
    problems.push(
      `the ${MONITORING_PROFILE} profile must hold exactly ${MONITORING_SERVICES.join(', ')}; found ${profiled.join(', ') || 'none'}`,
    );
  }
  for (const name of MONITORING_SERVICES) {
    const service = services[name];
    if (service) problems.push(...serviceProblems(name, service, services.db));
  }
  for (const [from, to] of MUST_REACH) {
    const a = services[from];
    const b = services[to];
    if (a && b && !shareNetwork(a, b))
      problems.push(`${from} cannot reach ${to}: no shared network`);
  }
  return problems;
}
