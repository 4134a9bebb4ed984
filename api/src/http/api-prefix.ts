// Every route answers at /X and at /api/X. Rather than mount each router twice (and walk both
// mounts on every request), the /api prefix is taken off the URL once, up front, and remembered
// for the links the API writes (Location, Link), which must keep the path the client used.
import type { RequestHandler, Response } from 'express';

/** Every route answers at /X and at /api/X, so a proxy can forward /api/* unchanged. */
export const API_PREFIX = '/api';

export const stripApiPrefix: RequestHandler = (req, res, next) => {
  const url = req.url;
  const afterPrefix = url[API_PREFIX.length];
  // "/api", "/api/..." and "/api?...", but not "/apiary".
  if (
    url.startsWith(API_PREFIX) &&
    (afterPrefix === undefined || afterPrefix === '/' || afterPrefix === '?')
  ) {
    const rest = url.slice(API_PREFIX.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    res.locals.basePath = API_PREFIX;
  } else {
    res.locals.basePath = '';
  }
  next();
};

/** The prefix the client used ('' or '/api'), for links back into the API. */
export function basePathOf(res: Response): string {
  return res.locals.basePath as string;
}
