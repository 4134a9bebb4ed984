// The Grafana dashboard as data: its panels' queries, Grafana's variables filled in the way
// Grafana would, and the metric names each PromQL query selects (read by Prometheus's own
// PromQL grammar, so function and label names are never mistaken for metrics).
import { readFileSync } from 'node:fs';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

export const DASHBOARD_PATH = new URL('../grafana/dashboards/tristack.json', import.meta.url);

export type DatasourceType = 'prometheus' | 'loki';

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface DashboardTarget {
  refId: string;
  expr: string;
  datasource?: DatasourceRef;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: DatasourceRef;
  targets?: DashboardTarget[];
  gridPos: { x: number; y: number; w: number; h: number };
}

export interface TemplateVariable {
  name: string;
  type: string;
  query?: string;
  current?: { value?: string };
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: TemplateVariable[] };
}

export interface PanelQuery {
  panel: string;
  refId: string;
  datasource: DatasourceRef;
  expr: string;
}

export function loadDashboard(path: URL | string = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Every query of every panel, with the datasource it runs on (the target's, else the panel's). */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      refId: target.refId,
      datasource: target.datasource ?? panel.datasource ?? {},
      expr: target.expr,
    })),
  );
}

export function queriesOfType(dashboard: Dashboard, type: DatasourceType): PanelQuery[] {
  return panelQueries(dashboard).filter((query) => query.datasource.type === type);
}

// Grafana's variable forms: $name, ${name}, ${name:format} and the deprecated [[name]].
const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g;

/**
 * The query as Grafana would send it, with each variable replaced by `values`.
 * Throws naming a variable that has no value, rather than sending `$typo` to Prometheus.
 */
export function substituteVariables(expr: string, values: Record<string, string>): string {
  return expr.replace(VARIABLE, (whole, braced?: string, plain?: string, bracketed?: string) => {
    const name = braced ?? plain ?? bracketed ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`no value for Grafana variable ${whole} in ${expr}`);
    return value;
  });
}

export interface ParsedPromql {
  metricNames: string[];
  syntaxErrors: string[];
}

/** The metric names a PromQL expression selects, and where its syntax is wrong. */
export function parsePromql(expr: string): ParsedPromql {
  const metricNames = new Set<string>();
  const syntaxErrors: string[] = [];
  promqlParser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        syntaxErrors.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(node.from))}`);
      }
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        metricNames.add(expr.slice(node.from, node.to));
      }
    },
  });
  return { metricNames: [...metricNames].sort(), syntaxErrors };
}

/** Where a LogQL expression's syntax is wrong (empty when it parses). */
export function logqlSyntaxErrors(expr: string): string[] {
  const errors: string[] = [];
  logqlParser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(node.from))}`);
      }
    },
  });
  return errors;
}
