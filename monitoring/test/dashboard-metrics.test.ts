// Every metric the dashboard queries must exist in a real /metrics answer of the API: a renamed
// metric fails here instead of leaving an empty panel in Grafana.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Dashboard,
  loadDashboard,
  logqlSyntaxErrors,
  parsePromql,
  queriesOfType,
  substituteVariables,
} from '../src/dashboard.ts';
import { dashboardMetricProblems, SAMPLE_VARIABLES } from '../src/dashboard-check.ts';
import { exposedSeriesNames, parseExposition } from '../src/exposition.ts';
import { fetchMetrics, useRunningApi } from './support/api.ts';
import { sendBurst } from './support/traffic.ts';

const DASHBOARD = loadDashboard();
const api = useRunningApi();
let exposed: Set<string>;

beforeAll(async () => {
  await sendBurst(api.baseUrl);
  exposed = exposedSeriesNames(parseExposition(await fetchMetrics(api.baseUrl)));
});

/** A copy of the dashboard with one query rewritten. */
function withQuery(panelTitle: string, rewrite: (expr: string) => string): Dashboard {
  const copy = structuredClone(DASHBOARD);
  const target = copy.panels.find((panel) => panel.title === panelTitle)?.targets?.[0];
  if (!target) throw new Error(`no panel "${panelTitle}" with a query`);
  target.expr = rewrite(target.expr);
  return copy;
}

describe('the dashboard against a real /metrics answer', () => {
  it('selects only metrics the API exposes', () => {
    expect(dashboardMetricProblems(DASHBOARD, exposed)).toEqual([]);
  });

  it('covers traffic, errors, latency, database, memory, CPU, event loop and readiness', () => {
    const used = new Set(
      queriesOfType(DASHBOARD, 'prometheus').flatMap(
        (query) => parsePromql(substituteVariables(query.expr, SAMPLE_VARIABLES)).metricNames,
      ),
    );
    expect([...used].sort()).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds_bucket',
        'http_request_duration_seconds_count',
        'http_requests_in_flight',
        'nodejs_eventloop_lag_p99_seconds',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'tristack_db_pool_connections',
        'tristack_db_query_duration_seconds_bucket',
        'tristack_db_query_errors_total',
        'tristack_ready',
      ]),
    );
  });

  it('has Loki queries that parse as LogQL', () => {
    const loki = queriesOfType(DASHBOARD, 'loki');
    expect(loki.length).toBeGreaterThan(0);
    expect(
      loki.flatMap((query) => logqlSyntaxErrors(substituteVariables(query.expr, SAMPLE_VARIABLES))),
    ).toEqual([]);
  });
});

describe('the metric checker rejects a broken dashboard', () => {
  it('when a metric name is misspelt', () => {
    const broken = withQuery('Request rate by route', (expr) =>
      expr.replace('http_request_duration_seconds_count', 'http_request_duration_secnds_count'),
    );
    expect(dashboardMetricProblems(broken, exposed)).toEqual([
      'panel "Request rate by route" query A: http_request_duration_secnds_count is not in the API\'s /metrics',
    ]);
  });

  it('when the API renames a metric the dashboard still uses', () => {
    const renamed = new Set([...exposed].filter((name) => !name.startsWith('tristack_ready')));
    expect(dashboardMetricProblems(DASHBOARD, renamed).join('\n')).toMatch(
      /panel "Ready instances" query A: tristack_ready is not in the API's \/metrics/,
    );
  });

  it('when a query does not parse', () => {
    const broken = withQuery('Database pool', (expr) => expr.replace('(tristack', '(( tristack'));
    expect(dashboardMetricProblems(broken, exposed).join('\n')).toMatch(
      /panel "Database pool" query A: syntax error/,
    );
  });

  it('when a query uses a Grafana variable that has no value', () => {
    const broken = withQuery('CPU', (expr) =>
      expr.replace('$__rate_interval', '$__rate_intervall'),
    );
    expect(() => dashboardMetricProblems(broken, exposed)).toThrow(
      /no value for Grafana variable \$__rate_intervall/,
    );
  });

  it('when a LogQL query does not parse', () => {
    expect(logqlSyntaxErrors('{service_name="api" |= "x"')).not.toEqual([]);
  });
});
