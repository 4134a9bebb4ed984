// Optional monitoring objects for clusters that run the Prometheus operator and Grafana (such as
// kube-prometheus-stack): a ServiceMonitor that scrapes the API, and the repository's Grafana
// dashboard as a ConfigMap that Grafana's dashboard sidecar loads.
import { readFileSync } from 'node:fs';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { API_METRICS } from './api.ts';
import { SERVICE_NAMES, selectorLabels } from './contract.ts';

/** The dashboard Compose provisions: read at synth time, so there is one source. */
export const DASHBOARD_FILE = new URL(
  '../../monitoring/grafana/dashboards/tristack.json',
  import.meta.url,
);
/**
 * The job label the dashboard's queries select on; monitoring/prometheus/prometheus.yml names its
 * job the same, so one dashboard serves Compose and Kubernetes.
 */
export const METRICS_JOB = 'tristack-api';
/** The label and value kube-prometheus-stack's Grafana sidecar looks for by default. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;
export const DASHBOARD_CONFIG_MAP = 'grafana-dashboard-tristack';
const DASHBOARD_KEY = 'tristack.json';
// The Compose scrape interval (prometheus.yml), so rates read the same in both.
const SCRAPE_INTERVAL = '15s';
const COMPONENT = 'api';

export interface MonitoringProps {
  /** Namespace of the objects (the API's). @default 'tristack' */
  readonly namespace: string;
  /**
   * Create a prometheus-operator ServiceMonitor for the API (the CRD must be installed).
   * @default false
   */
  readonly serviceMonitor?: boolean;
  /**
   * Create the Grafana dashboard ConfigMap, labelled for Grafana's dashboard sidecar.
   * @default false
   */
  readonly dashboard?: boolean;
  /**
   * The dashboard JSON.
   * @default the content of monitoring/grafana/dashboards/tristack.json
   */
  readonly dashboardJson?: string;
}

export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const metadata = (name: string) => ({
      name,
      namespace: props.namespace,
      labels: selectorLabels(COMPONENT),
    });

    if (props.serviceMonitor) {
      // cdk8s-plus has no type for the operator's CRDs (only built-in kinds), and importing the
      // CRD with `cdk8s import` would add generated code for one object: a raw ApiObject it is.
      // The k8s tests validate it against the operator's schema (@kubernetes-models/prometheus-operator).
      new ApiObject(this, 'service-monitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: metadata(SERVICE_NAMES.api),
        spec: {
          selector: { matchLabels: selectorLabels(COMPONENT) },
          namespaceSelector: { matchNames: [props.namespace] },
          endpoints: [
            {
              port: API_METRICS.portName,
              path: API_METRICS.path,
              interval: SCRAPE_INTERVAL,
              // The operator names the job after the Service ("api"); the dashboard expects the
              // same job as Compose.
              relabelings: [{ action: 'replace', targetLabel: 'job', replacement: METRICS_JOB }],
            },
          ],
        },
      });
    }

    if (props.dashboard) {
      new kplus.ConfigMap(this, 'dashboard', {
        metadata: {
          ...metadata(DASHBOARD_CONFIG_MAP),
          labels: { ...selectorLabels(COMPONENT), ...GRAFANA_DASHBOARD_LABEL },
        },
        data: { [DASHBOARD_KEY]: props.dashboardJson ?? readFileSync(DASHBOARD_FILE, 'utf8') },
      });
    }
  }
}
