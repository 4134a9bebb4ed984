// Request ids and the one JSON log line per request (pino-http).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';
import { routeTemplate } from './route-template.ts';

export const REQUEST_ID_HEADER = 'X-Request-Id';
// An incoming id is trusted only if it is short and plain, so logs cannot be forged through it.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

function levelFor(_req: IncomingMessage, res: ServerResponse, error?: Error) {
  if (res.statusCode === 503) return 'warn';
  if (error || res.statusCode >= 500) return 'error';
  return 'info';
}

export function requestContext(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: requestIdFor,
    quietReqLogger: true,
    customLogLevel: levelFor,
    // No headers, no bodies: passwords, tokens and cookies cannot reach the logs.
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string }) => ({
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customSuccessObject: (req, _res, value) => ({ ...value, route: routeTemplate(req as Request) }),
    // The error handler already logged real bugs with their stack; the request line stays short.
    customErrorObject: (req, res, _error, value) => ({
      ...value,
      err: undefined,
      route: routeTemplate(req as Request),
      statusCode: res.statusCode,
    }),
    customSuccessMessage: (req, res, ms) =>
      `${req.method} ${(req as Request).originalUrl} ${res.statusCode} ${ms}ms`,
    customErrorMessage: (req, res) =>
      `${req.method} ${(req as Request).originalUrl} ${res.statusCode}`,
  });
}
