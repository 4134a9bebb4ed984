// Security headers, CORS and rate limiting: what every answer passes through.
import cors from 'cors';
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { HttpProblem, sendProblem } from './problem.ts';
import { REQUEST_ID_HEADER } from './request-context.ts';

const RATE_LIMIT_WINDOW_MS = 60_000;
/** How long browsers may cache a CORS preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function securityHeaders(): RequestHandler {
  // A JSON API renders nothing: forbid everything a browser might try to do with an answer.
  // Only the headers that mean something on a JSON answer: each one costs time on every
  // request, and the document-only ones (X-XSS-Protection, Origin-Agent-Cluster, COOP,
  // X-DNS-Prefetch-Control, X-Download-Options, X-Frame-Options beside frame-ancestors...) protect
  // nothing here.
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

export function corsPolicy(allowedOrigins: readonly string[]): RequestHandler {
  const policy = cors({
    origin: [...allowedOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Content-Type', REQUEST_ID_HEADER],
    exposedHeaders: ['Location', 'Link', 'Retry-After', REQUEST_ID_HEADER],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  // Only browsers making cross-origin calls send Origin; the page's own calls through its proxy
  // and every server-side client skip the CORS work (and headers) entirely.
  return (req, res, next) => (req.headers.origin === undefined ? next() : policy(req, res, next));
}

/** Per client address; `undefined` when the limit is off (0). */
export function rateLimiter(perMinute: number): RequestHandler | undefined {
  if (perMinute === 0) return undefined;
  return rateLimit({
    windowMs: RATE_LIMIT_WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res, _next, options) => {
      const retryAfter = Math.ceil(options.windowMs / 1000);
      sendProblem(
        res,
        new HttpProblem(
          429,
          'rate-limited',
          `more than ${perMinute} requests in a minute from this address; retry later`,
          undefined,
          { 'Retry-After': String(retryAfter) },
        ),
      );
    },
  });
}
