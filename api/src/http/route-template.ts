import type { Request } from 'express';

/**
 * The route template that matched (`/items/:id`), never the raw URL, so that logs and metric
 * labels stay bounded whatever URLs clients send. `/api/items/:id` and `/items/:id` are the same
 * route.
 */
export function routeTemplate(req: Request): string {
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? path : 'unmatched';
}
