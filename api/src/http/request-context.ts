// Request ids, request metrics and the one JSON log line per request. Written for the hot path rather than with
// pino-http, which built a child logger and ran its serializers for every request: measured at
// several percent of the CPU under load for the same line.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { routeTemplate } from './route-template.ts';

export const REQUEST_ID_HEADER = 'X-Request-Id';
// An incoming id is trusted only if it is short and plain, so logs cannot be forged through it.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of this request, as returned in X-Request-Id. */
export function requestIdOf(res: Response): string {
  return res.locals.requestId as string;
}

// Probes and scrapes arrive every few seconds from the kubelet and Prometheus: logged at debug
// unless they fail, so that info shows what users do.
const ROUTINE_ROUTES = new Set(['/status', '/healthz', '/metrics']);

function levelFor(status: number, route: string): 'debug' | 'info' | 'warn' | 'error' {
  if (status === 503) return 'warn';
  if (status >= 500) return 'error';
  return ROUTINE_ROUTES.has(route) ? 'debug' : 'info';
}

/**
 * Times every request for the metrics (mounted first, so errors and 404s count too), gives it an id (the incoming X-Request-Id when it is safe to log, else a UUID),
 * returns it, and logs one line when the answer is done: id, method, URL, route template,
 * status and duration. Never headers or bodies, so passwords, tokens and cookies stay out.
 */
export function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  // These lines are built from known fields only (never headers or bodies): the redaction the
  // root logger applies to every line would cost about 3 µs each for nothing.
  const requestLog = logger.child({}, { redact: [] });
  return (req: Request, res: Response, next) => {
    const started = performance.now();
    metrics.requestStarted();
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming)
        ? incoming
        : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.once('close', () => {
      const elapsedMs = performance.now() - started;
      metrics.requestFinished(req, res, elapsedMs / 1000);
      const status = res.statusCode;
      const route = routeTemplate(req);
      const level = levelFor(status, route);
      if (!requestLog.isLevelEnabled(level)) return;
      const responseTime = Math.round(elapsedMs);
      requestLog[level](
        {
          reqId: requestId,
          req: {
            method: req.method,
            url: req.originalUrl,
            remoteAddress: req.socket.remoteAddress,
          },
          res: { statusCode: status },
          route,
          responseTime,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        `${req.method} ${req.originalUrl} ${status} ${responseTime}ms`,
      );
    });
    next();
  };
}
