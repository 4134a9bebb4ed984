// The synthesized output the tests examine: both environments with their defaults, plus variants
// that exercise every configuration branch (external database, ingress with TLS, scraper, ...).
import { buildManifests } from '../src/app.ts';
import type { K8sObject } from './invariants.ts';

export const VARIANT_OVERRIDES: Record<
  string,
  { environment: string; env: Record<string, string> }
> = {
  dev: { environment: 'dev', env: {} },
  prod: { environment: 'prod', env: {} },
  'prod with an external MySQL': {
    environment: 'prod',
    env: {
      TRISTACK_EXTERNAL_MYSQL_HOST: 'mysql.example.internal',
      TRISTACK_EXTERNAL_MYSQL_PORT: '3307',
    },
  },
  'dev with every override': {
    environment: 'dev',
    env: {
      TRISTACK_NAMESPACE: 'tristack-test',
      TRISTACK_IMAGE_REGISTRY: 'registry.example.com:5000/acme',
      TRISTACK_IMAGE_TAG: '1.2.3',
      TRISTACK_MYSQL_IMAGE: 'mysql:8.4.3',
      TRISTACK_API_REPLICAS: '3',
      TRISTACK_API_MAX_REPLICAS: '6',
      TRISTACK_FRONT_REPLICAS: '2',
      TRISTACK_LOG_LEVEL: 'warn',
      TRISTACK_STORAGE_SIZE: '5Gi',
      TRISTACK_STORAGE_CLASS: 'fast-ssd',
      TRISTACK_INGRESS_HOST: 'tristack.test',
      TRISTACK_INGRESS_CLASS: 'traefik',
      TRISTACK_INGRESS_TLS_SECRET: 'tristack-test-tls',
      TRISTACK_DB_SECRET_NAME: 'my-db-secret',
      TRISTACK_INGRESS_CONTROLLER_NAMESPACE: 'traefik',
      TRISTACK_METRICS_NAMESPACE: 'monitoring',
      TRISTACK_MONITORING: 'service-monitor,dashboard',
      TRISTACK_BACKUP_SCHEDULE: '*/30 1-5 * * 1-5',
      TRISTACK_BACKUP_KEEP: '30',
    },
  },
};

export const VARIANTS: Record<string, K8sObject[]> = Object.fromEntries(
  Object.entries(VARIANT_OVERRIDES).map(([name, { environment, env }]) => [
    name,
    buildManifests(environment, env) as K8sObject[],
  ]),
);

/** Synthesized JSON, navigated freely by the tests: the schemas have already typed it. */
// biome-ignore lint/suspicious/noExplicitAny: tests walk deep into plain JSON objects
export type Json = any;

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} is not in the output`);
  return found;
}

/** A deep copy to break on purpose. */
export function copyOf(objects: K8sObject[]): K8sObject[] {
  return structuredClone(objects);
}
