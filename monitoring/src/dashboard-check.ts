// The check that keeps the dashboard honest: every metric its PromQL selects must be one the API
// really exposes, so a renamed metric shows up as a failing test, not as an empty panel.
import { type Dashboard, parsePromql, queriesOfType, substituteVariables } from './dashboard.ts';

/**
 * Values for Grafana's built-in interval variables and the dashboard's own ones, as Grafana would
 * send them over a short time range. Only the syntax and the metric names depend on them.
 */
export const SAMPLE_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '5m',
  datasource: 'prometheus',
  logs: 'loki',
  search: '',
};

/** One line per problem: a query that does not parse, or selects a metric not in `exposed`. */
export function dashboardMetricProblems(
  dashboard: Dashboard,
  exposed: ReadonlySet<string>,
  variables: Record<string, string> = SAMPLE_VARIABLES,
): string[] {
  const problems: string[] = [];
  for (const query of queriesOfType(dashboard, 'prometheus')) {
    const where = `panel "${query.panel}" query ${query.refId}`;
    const { metricNames, syntaxErrors } = parsePromql(substituteVariables(query.expr, variables));
    for (const error of syntaxErrors) problems.push(`${where}: ${error}`);
    if (metricNames.length === 0) problems.push(`${where}: selects no metric`);
    for (const name of metricNames) {
      if (!exposed.has(name)) problems.push(`${where}: ${name} is not in the API's /metrics`);
    }
  }
  return problems;
}
