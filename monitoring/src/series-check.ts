// The cardinality rule for request metrics: the route label only ever holds a route template.
import { type Exposition, samplesOf } from './exposition.ts';

export const REQUEST_SERIES = 'http_request_duration_seconds_count';

/** The route templates the API serves, plus the one label every unrouted path shares. */
export const ROUTE_TEMPLATES = [
  '/healthz',
  '/items',
  '/items/:id',
  '/metrics',
  '/status',
  'unmatched',
] as const;

/** One line per route label that is not a template (a raw path, an id): unbounded cardinality. */
export function routeLabelProblems(exposition: Exposition): string[] {
  const routes = new Set(samplesOf(exposition, REQUEST_SERIES).map((s) => s.labels.route ?? ''));
  return [...routes]
    .filter((route) => !(ROUTE_TEMPLATES as readonly string[]).includes(route))
    .sort()
    .map((route) => `route label "${route}" is not a route template`);
}
