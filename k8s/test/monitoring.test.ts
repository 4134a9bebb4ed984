import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildManifests } from '../src/app.ts';
import {
  DASHBOARD_CONFIG_MAP,
  DASHBOARD_FILE,
  GRAFANA_DASHBOARD_LABEL,
  METRICS_JOB,
} from '../src/monitoring.ts';
import { resolveStackConfig } from '../src/overrides.ts';
import { copyOf, find, type Json, VARIANTS } from './fixtures.ts';
import type { K8sObject } from './invariants.ts';
import { schemaErrors } from './schema.ts';

const MONITORED = { TRISTACK_METRICS_NAMESPACE: 'monitoring' };
const withMonitoring = (parts: string) =>
  buildManifests('prod', { ...MONITORED, TRISTACK_MONITORING: parts });
const monitoringObjects = (objects: K8sObject[]) =>
  objects.filter(
    (object) => object.kind === 'ServiceMonitor' || object.metadata?.name === DASHBOARD_CONFIG_MAP,
  );

describe('monitoring objects', () => {
  it.each(['dev', 'prod'])('are off by default in %s (no CRD is assumed)', (environment) => {
    expect(monitoringObjects(VARIANTS[environment] ?? [])).toEqual([]);
  });

  it('come one at a time with TRISTACK_MONITORING', () => {
    const kinds = (parts: string) =>
      monitoringObjects(withMonitoring(parts) as K8sObject[]).map((object) => object.kind);
    expect(kinds('service-monitor')).toEqual(['ServiceMonitor']);
    expect(kinds('dashboard')).toEqual(['ConfigMap']);
    expect(kinds('dashboard, service-monitor')).toEqual(['ServiceMonitor', 'ConfigMap']);
    expect(kinds('none')).toEqual([]);
  });
});

describe('the ServiceMonitor', () => {
  const objects = withMonitoring('service-monitor') as K8sObject[];
  const monitor: Json = find(objects, 'ServiceMonitor', 'api');
  const service: Json = find(objects, 'Service', 'api');

  it("selects the api Service by its labels, in the stack's namespace", () => {
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) {
      expect(service.metadata.labels[key], key).toBe(value);
    }
    expect(monitor.spec.namespaceSelector.matchNames).toEqual([service.metadata.namespace]);
  });

  it('scrapes /metrics on the named port the Service exposes', () => {
    const [endpoint] = monitor.spec.endpoints;
    expect(service.spec.ports.map((port: Json) => port.name)).toContain(endpoint.port);
    expect(endpoint.path).toBe('/metrics');
  });

  it('names the job as Compose does, the job the dashboard selects on', () => {
    const composeJob = parse(
      readFileSync(new URL('../../monitoring/prometheus/prometheus.yml', import.meta.url), 'utf8'),
    ).scrape_configs[0].job_name;
    expect(METRICS_JOB).toBe(composeJob);
    expect(monitor.spec.endpoints[0].relabelings).toEqual([
      { action: 'replace', targetLabel: 'job', replacement: METRICS_JOB },
    ]);
    expect(readFileSync(DASHBOARD_FILE, 'utf8')).toContain(`job=\\"${METRICS_JOB}\\"`);
  });

  it("validates against the prometheus-operator's ServiceMonitor schema", () => {
    expect(schemaErrors(monitor)).toEqual([]);
  });

  it('fails that schema when broken', () => {
    const broken: Json = copyOf([monitor])[0];
    broken.spec.endpoints[0].relabelings[0].action = 'rename';
    broken.spec.selector = 'api';
    const errors = schemaErrors(broken).join('\n');
    expect(errors).toMatch(/selector must be object/);
  });

  it('is refused without TRISTACK_METRICS_NAMESPACE, as the NetworkPolicy would block it', () => {
    expect(() => resolveStackConfig('prod', { TRISTACK_MONITORING: 'service-monitor' })).toThrow(
      /a ServiceMonitor needs TRISTACK_METRICS_NAMESPACE/,
    );
  });
});

describe('the dashboard ConfigMap', () => {
  const objects = withMonitoring('dashboard') as K8sObject[];
  const configMap: Json = find(objects, 'ConfigMap', DASHBOARD_CONFIG_MAP);

  it("is labelled for Grafana's dashboard sidecar", () => {
    expect(configMap.metadata.labels).toMatchObject(GRAFANA_DASHBOARD_LABEL);
  });

  it('holds monitoring/grafana/dashboards/tristack.json byte for byte', () => {
    expect(configMap.data['tristack.json']).toBe(readFileSync(DASHBOARD_FILE, 'utf8'));
    expect(JSON.parse(configMap.data['tristack.json']).uid).toBe('tristack-overview');
  });

  it('needs no Prometheus namespace (a dashboard alone scrapes nothing)', () => {
    expect(() => resolveStackConfig('prod', { TRISTACK_MONITORING: 'dashboard' })).not.toThrow();
  });
});

describe('TRISTACK_MONITORING', () => {
  it.each(['grafana', 'none,dashboard', ',', 'service-monitor;dashboard'])(
    'refuses "%s", naming the variable and the choices',
    (value) => {
      expect(() => resolveStackConfig('dev', { ...MONITORED, TRISTACK_MONITORING: value })).toThrow(
        /TRISTACK_MONITORING=".*" must be "none" or a comma-separated list of service-monitor, dashboard/,
      );
    },
  );
});
