// The tristack chart: assembles the tiers from a resolved StackConfig.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { Api } from './api.ts';
import { checkApiEnvironment } from './api-environment-check.ts';
import { Backup } from './backup.ts';
import type { StackConfig } from './config.ts';
import { COMMON_LABELS, PORTS, PRODUCT } from './contract.ts';
import { DevDatabaseSecret } from './credentials.ts';
import { Database } from './database.ts';
import { Front } from './front.ts';
import { Ingress } from './ingress.ts';
import { Monitoring } from './monitoring.ts';
import { Namespace } from './namespace.ts';
import { NetworkPolicies, type NetworkPoliciesProps } from './network-policies.ts';
import { resolveStackConfig } from './overrides.ts';

export interface TristackChartProps {
  /**
   * The environment's settings, from resolveStackConfig.
   * @default the dev environment without overrides
   */
  readonly config?: StackConfig;
}

/** CORS_ORIGINS: the ingress host's origin when there is one, else the port-forwarded page. */
function corsOrigins(config: StackConfig): string {
  if (config.api.corsOrigins !== undefined) return config.api.corsOrigins;
  if (config.ingress.host === undefined) return `http://localhost:${PORTS.front}`;
  const scheme = config.ingress.tlsSecretName === undefined ? 'http' : 'https';
  return `${scheme}://${config.ingress.host}`;
}

/** Where the API finds MySQL, and what its NetworkPolicy lets it reach. */
interface DatabaseWiring {
  endpoint: { host: string; port: number };
  network: NetworkPoliciesProps['database'];
  /** The backup pods, when the CronJob is on. */
  backup?: kplus.Pods;
}

/** The StatefulSet tier when MySQL runs in the cluster; the managed server's address otherwise. */
function inClusterDatabase(
  chart: Construct,
  config: StackConfig,
  secret: kplus.ISecret,
): DatabaseWiring {
  const database = config.database;
  if (database.mode === 'external') {
    return {
      endpoint: { host: database.host, port: database.port },
      network: { mode: 'external', port: database.port },
    };
  }
  const db = new Database(chart, 'db', {
    namespace: config.namespace,
    image: database.image,
    storageSize: database.storageSize,
    storageClassName: database.storageClassName,
    databaseName: database.name,
    user: database.user,
    secret,
  });
  // Off unless the environment or TRISTACK_BACKUP_SCHEDULE gives it a schedule.
  const backup =
    config.backup.schedule === undefined
      ? undefined
      : new Backup(chart, 'backup', {
          namespace: config.namespace,
          schedule: config.backup.schedule,
          keep: config.backup.keep,
          image: database.image,
          databaseName: database.name,
          user: database.user,
          secret,
          storageGiB: config.backup.storageGiB,
          storageClassName: database.storageClassName,
        });
  return {
    endpoint: { host: db.service.name, port: db.service.port },
    network: { mode: 'in-cluster', pods: db.pods, backup: backup?.pods },
  };
}

export class TristackChart extends Chart {
  constructor(scope: Construct, id: string, props: TristackChartProps = {}) {
    super(scope, id, { labels: { ...COMMON_LABELS } });
    const config = props.config ?? resolveStackConfig('dev');
    const namespace = config.namespace;

    new Namespace(this, 'namespace', { name: namespace });
    const secret = config.databaseSecret.generateDevValues
      ? new DevDatabaseSecret(this, 'dev-credentials', {
          namespace,
          name: config.databaseSecret.name,
        }).secret
      : kplus.Secret.fromSecretName(this, 'credentials', config.databaseSecret.name);

    const database = inClusterDatabase(this, config, secret);
    const api = new Api(this, 'api', {
      namespace,
      image: config.api.image,
      replicas: config.api.replicas,
      maxReplicas: config.api.maxReplicas,
      database: {
        ...database.endpoint,
        name: config.database.name,
        user: config.database.user,
      },
      secret,
      logLevel: config.api.logLevel,
      corsOrigins: corsOrigins(config),
      rateLimitPerMinute: config.api.rateLimitPerMinute,
      mysqlTimeoutMs: config.api.mysqlTimeoutMs,
    });
    checkApiEnvironment(api.environment, config.overrides ?? {});
    // Off by default: a ServiceMonitor needs the operator's CRD, and network.metricsScraperNamespace
    // must open the API's port to Prometheus (overrides.ts refuses one without the other).
    if (config.monitoring.serviceMonitor || config.monitoring.dashboard) {
      new Monitoring(this, 'monitoring', { namespace, ...config.monitoring });
    }

    const front = new Front(this, 'front', {
      namespace,
      image: config.front.image,
      replicas: config.front.replicas,
    });

    new Ingress(this, 'ingress', {
      namespace,
      api: api.service,
      front: front.service,
      ...config.ingress,
    });

    new NetworkPolicies(this, 'network-policies', {
      namespace,
      front: front.pods,
      api: api.pods,
      ingressControllerNamespace: config.network.ingressControllerNamespace,
      metricsScraperNamespace: config.network.metricsScraperNamespace,
      database: database.network,
    });
  }
}

/** An App holding the chart for one environment (nothing is written until synth()). */
export function createApp(config: StackConfig, outdir?: string): App {
  const app = new App(outdir === undefined ? {} : { outdir });
  new TristackChart(app, PRODUCT, { config });
  return app;
}

/**
 * The synthesized objects for `dev` or `prod`, as plain JSON (what the YAML holds).
 * `env` may carry TRISTACK_* overrides; by default none apply.
 */
export function buildManifests(
  environment: string,
  env: Record<string, string | undefined> = {},
): Record<string, unknown>[] {
  const app = createApp(resolveStackConfig(environment, env));
  const objects = app.charts.flatMap((chart) => chart.toJson());
  return JSON.parse(JSON.stringify(objects)) as Record<string, unknown>[];
}

/** The YAML `cdk8s synth` writes for this environment. */
export function renderYaml(
  environment: string,
  env: Record<string, string | undefined> = {},
): string {
  return createApp(resolveStackConfig(environment, env)).synthYaml();
}
