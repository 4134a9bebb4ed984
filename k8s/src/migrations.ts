// The schema migrations as the API pod's init container: the API image's own migration runner
// (`node dist/migrations/cli.js`), run to exit 0 before the API container starts. Why an init
// container and not a Job: docs/kubernetes.md, "Migrations: an init container".
import { MIGRATE_IMAGE_COMMAND } from '@tristack/api/migrations/paths';
import * as kplus from 'cdk8s-plus-28';
import { containerSecurityContext, type ResourceBudget, resources } from './pod-security.ts';

/** What the runner reads, exactly: the API-only variables are not its business. */
export const MIGRATION_ENV_VARS = [
  'MYSQL_HOST',
  'MYSQL_PORT',
  'MYSQL_DATABASE',
  'MYSQL_USER',
  'MYSQL_PASSWORD_FILE',
  'MYSQL_TIMEOUT_MS',
] as const;

export interface MigrationsProps {
  /** The API's image, whose migrations are the ones its API needs. */
  readonly image: string;
  /**
   * The API's ConfigMap: the runner reads MIGRATION_ENV_VARS from it, so it migrates the very
   * database the API then uses.
   */
  readonly configMap: kplus.IConfigMap;
  /**
   * The API's Secret volume (the `mysql-password` key only) and where it is mounted, the folder
   * of MYSQL_PASSWORD_FILE.
   */
  readonly credentials: { readonly volume: kplus.Volume; readonly path: string };
  /**
   * CPU and memory: one connection, a few statements, and the Node runtime.
   * @default 50m and 96Mi requested, 192Mi memory limit
   */
  readonly resources?: ResourceBudget;
}

const DEFAULT_RESOURCES: ResourceBudget = { cpuMillis: 50, memoryMiB: 96, memoryLimitMiB: 192 };

/**
 * The `migrate` init container. It needs no writable path (so no /tmp), no probes (an init
 * container has none: it runs to completion), and exits 0 when the schema is current, 1 when a
 * run failed (the kubelet retries it with back-off and the API never starts on an old schema),
 * 2 on bad configuration. A second pod's runner waits for the first one's lock (up to 300 s).
 */
export function migrationsInitContainer(props: MigrationsProps): kplus.ContainerProps {
  return {
    name: 'migrate',
    image: props.image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    command: [...MIGRATE_IMAGE_COMMAND],
    envVariables: Object.fromEntries(
      MIGRATION_ENV_VARS.map((name) => [name, kplus.EnvValue.fromConfigMap(props.configMap, name)]),
    ),
    resources: resources(props.resources ?? DEFAULT_RESOURCES),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { volume: props.credentials.volume, path: props.credentials.path, readOnly: true },
    ],
  };
}
