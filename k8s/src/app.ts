// The tristack chart: assembles the tiers from a resolved StackConfig.
import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Api } from './api.ts';
import { checkApiEnvironment } from './api-environment-check.ts';
import type { StackConfig } from './config.ts';
import { COMMON_LABELS, PORTS, PRODUCT, SERVICE_NAMES } from './contract.ts';
import { DevDatabaseSecret } from './credentials.ts';
import { Database } from './database.ts';
import { Front } from './front.ts';
import { Ingress } from './ingress.ts';
import { Monitoring } from './monitoring.ts';
import { Namespace } from './namespace.ts';
import { NetworkPolicies } from './network-policies.ts';
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

export class TristackChart extends Chart {
  constructor(scope: Construct, id: string, props: TristackChartProps = {}) {
    super(scope, id, { labels: { ...COMMON_LABELS } });
    const config = props.config ?? resolveStackConfig('dev');
    const namespace = config.namespace;

    new Namespace(this, 'namespace', { name: namespace });
    if (config.databaseSecret.generateDevValues) {
      new DevDatabaseSecret(this, 'dev-credentials', {
        namespace,
        name: config.databaseSecret.name,
      });
    }

    const database = config.database;
    if (database.mode === 'in-cluster') {
      new Database(this, 'db', {
        namespace,
        image: database.image,
        storageSize: database.storageSize,
        storageClassName: database.storageClassName,
        databaseName: database.name,
        user: database.user,
        secretName: config.databaseSecret.name,
      });
    }

    const api = new Api(this, 'api', {
      namespace,
      image: config.api.image,
      replicas: config.api.replicas,
      maxReplicas: config.api.maxReplicas,
      database: {
        host: database.mode === 'in-cluster' ? SERVICE_NAMES.db : database.host,
        port: database.mode === 'in-cluster' ? PORTS.db : database.port,
        name: database.name,
        user: database.user,
      },
      secretName: config.databaseSecret.name,
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

    new Front(this, 'front', {
      namespace,
      image: config.front.image,
      replicas: config.front.replicas,
    });

    new Ingress(this, 'ingress', { namespace, ...config.ingress });

    new NetworkPolicies(this, 'network-policies', {
      namespace,
      ingressControllerNamespace: config.network.ingressControllerNamespace,
      metricsScraperNamespace: config.network.metricsScraperNamespace,
      database:
        database.mode === 'in-cluster'
          ? { mode: 'in-cluster' }
          : { mode: 'external', port: database.port },
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
