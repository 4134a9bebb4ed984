// Grafana's provisioning files, the dashboard and the log pipeline agree with each other and with
// docker-compose.yml: right datasource uids and URLs, the dashboards folder Grafana reads, the
// labels Alloy writes and the Loki queries read.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Dashboard, loadDashboard, queriesOfType } from '../src/dashboard.ts';
import {
  datasourceProblems,
  layoutProblems,
  type ProvisionedDatasource,
} from '../src/provisioning-check.ts';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const DASHBOARD = loadDashboard();
const DATASOURCES = parse(read('grafana/provisioning/datasources/datasources.yml')) as {
  apiVersion: number;
  datasources: ProvisionedDatasource[];
};
const PROVIDERS = parse(read('grafana/provisioning/dashboards/dashboards.yml')) as {
  apiVersion: number;
  providers: { type: string; options: { path: string } }[];
};
const PROMETHEUS_CONFIG = parse(read('prometheus/prometheus.yml'));
const LOKI_CONFIG = parse(read('loki/loki.yml'));
const ALLOY_CONFIG = read('alloy/config.alloy');
const COMPOSE = parse(read('../docker-compose.yml'));

const datasource = (type: string) => {
  const found = DATASOURCES.datasources.find((entry) => entry.type === type);
  if (!found) throw new Error(`no ${type} datasource is provisioned`);
  return found;
};

/** Where compose mounts a repository folder or file inside a service, e.g. `/etc/grafana/...`. */
function mountTarget(service: string, source: string): string | undefined {
  const volumes: string[] = COMPOSE.services[service]?.volumes ?? [];
  return volumes.map((volume) => volume.split(':')).find(([from]) => from === source)?.[1];
}

function brokenDashboard(change: (dashboard: Dashboard) => void): Dashboard {
  const copy = structuredClone(DASHBOARD);
  change(copy);
  return copy;
}

describe('Grafana provisioning', () => {
  it('provisions Prometheus and Loki at their compose service addresses', () => {
    expect(DATASOURCES.apiVersion).toBe(1);
    expect(datasource('prometheus')).toMatchObject({
      uid: 'prometheus',
      url: 'http://prometheus:9090',
    });
    expect(datasource('loki')).toMatchObject({
      uid: 'loki',
      url: `http://loki:${LOKI_CONFIG.server.http_listen_port}`,
    });
    expect(Object.keys(COMPOSE.services)).toEqual(expect.arrayContaining(['prometheus', 'loki']));
  });

  it("tells Grafana Prometheus's scrape interval, so $__rate_interval spans enough scrapes", () => {
    expect(datasource('prometheus').jsonData?.timeInterval).toBe(
      PROMETHEUS_CONFIG.global.scrape_interval,
    );
  });

  it('loads dashboards from the folder compose mounts the repository dashboards at', () => {
    expect(PROVIDERS.apiVersion).toBe(1);
    expect(PROVIDERS.providers.map((provider) => provider.type)).toEqual(['file']);
    expect(PROVIDERS.providers[0]?.options.path).toBe(
      mountTarget('grafana', './monitoring/grafana/dashboards'),
    );
    expect(mountTarget('grafana', './monitoring/grafana/provisioning')).toBe(
      '/etc/grafana/provisioning',
    );
  });

  it('opens the tristack dashboard as the home page', () => {
    const home = COMPOSE.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home).toBe(`${PROVIDERS.providers[0]?.options.path}/tristack.json`);
  });
});

describe('the dashboard JSON', () => {
  it('points every panel and query at a provisioned datasource through its variables', () => {
    expect(datasourceProblems(DASHBOARD, DATASOURCES.datasources)).toEqual([]);
  });

  it('lays its panels out on the grid without overlaps, each with a question it answers', () => {
    expect(layoutProblems(DASHBOARD)).toEqual([]);
    expect(DASHBOARD.panels.filter((panel) => !panel.description?.includes('?'))).toEqual([]);
  });

  it('has a stable uid and a logs panel on Loki', () => {
    expect(DASHBOARD.uid).toBe('tristack-overview');
    const logs = DASHBOARD.panels.find((panel) => panel.type === 'logs');
    expect(logs?.datasource?.type).toBe('loki');
  });
});

describe('the datasource check rejects a broken dashboard', () => {
  it('when a variable defaults to a uid Grafana does not have', () => {
    const broken = brokenDashboard((d) => {
      const variable = d.templating.list.find((v) => v.name === 'datasource');
      if (variable?.current) variable.current.value = 'prometheus-main';
    });
    expect(datasourceProblems(broken, DATASOURCES.datasources)).toEqual([
      'variable $datasource defaults to uid "prometheus-main", not a provisioned prometheus datasource',
    ]);
  });

  it('when a panel names a hard-coded uid or a variable that does not exist', () => {
    const broken = brokenDashboard((d) => {
      const [first, second] = d.panels;
      if (first) first.datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' };
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable, not JavaScript
      if (second) second.datasource = { type: 'prometheus', uid: '${metrics}' };
    });
    const problems = datasourceProblems(broken, DATASOURCES.datasources).join('\n');
    expect(problems).toMatch(
      /panel "Ready instances": datasource .*P1809F7CD0C75ACF3.* is not provisioned/,
    );
    expect(problems).toMatch(/panel "Requests in range": datasource .*metrics.* names no variable/);
  });

  it('when a Loki panel uses the Prometheus variable', () => {
    const broken = brokenDashboard((d) => {
      const logs = d.panels.find((panel) => panel.type === 'logs');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable, not JavaScript
      if (logs) logs.datasource = { type: 'loki', uid: '${datasource}' };
    });
    expect(datasourceProblems(broken, DATASOURCES.datasources).join('\n')).toMatch(
      /panel "API logs": loki datasource uses \$datasource, a prometheus variable/,
    );
  });

  it('when two panels overlap', () => {
    const broken = brokenDashboard((d) => {
      const [first, second] = d.panels;
      if (first && second) second.gridPos = { ...first.gridPos };
    });
    expect(layoutProblems(broken)).toEqual([
      'panels "Ready instances" and "Requests in range" overlap',
    ]);
  });
});

describe('the log pipeline', () => {
  it('labels streams with the compose service, the label the Loki queries select on', () => {
    expect(ALLOY_CONFIG).toMatch(/__meta_docker_container_label_com_docker_compose_service/);
    expect(ALLOY_CONFIG).toMatch(/target_label\s*=\s*"service_name"/);
    for (const query of queriesOfType(DASHBOARD, 'loki')) {
      expect(query.expr).toMatch(/\{service_name="api"\}/);
    }
    expect(Object.keys(COMPOSE.services)).toContain('api');
  });

  it('pushes to the Loki service on the port Loki listens on', () => {
    const port = LOKI_CONFIG.server.http_listen_port;
    expect(ALLOY_CONFIG).toContain(`url = "http://loki:${port}/loki/api/v1/push"`);
  });

  it('reads the Docker socket compose mounts read-only into Alloy', () => {
    const socket = '/var/run/docker.sock';
    expect(ALLOY_CONFIG).toContain(`host = "unix://${socket}"`);
    expect(COMPOSE.services.alloy.volumes).toContain(`${socket}:${socket}:ro`);
  });

  it('mounts each configuration file where its program is told to read it', () => {
    expect(mountTarget('prometheus', './monitoring/prometheus/prometheus.yml')).toBe(
      '/etc/prometheus/prometheus.yml',
    );
    expect(COMPOSE.services.prometheus.command).toContain(
      '--config.file=/etc/prometheus/prometheus.yml',
    );
    expect(mountTarget('loki', './monitoring/loki/loki.yml')).toBe('/etc/loki/loki.yml');
    expect(COMPOSE.services.loki.command).toContain('-config.file=/etc/loki/loki.yml');
    expect(mountTarget('alloy', './monitoring/alloy/config.alloy')).toBe('/etc/alloy/config.alloy');
    expect(COMPOSE.services.alloy.command).toContain('/etc/alloy/config.alloy');
  });

  it('keeps Loki in single-process mode with retention the compactor enforces', () => {
    expect(LOKI_CONFIG.auth_enabled).toBe(false);
    expect(LOKI_CONFIG.schema_config.configs.at(-1)).toMatchObject({
      store: 'tsdb',
      schema: 'v13',
    });
    expect(LOKI_CONFIG.compactor.retention_enabled).toBe(true);
    expect(LOKI_CONFIG.compactor.delete_request_store).toBe(
      LOKI_CONFIG.schema_config.configs.at(-1).object_store,
    );
  });
});
