// The last middlewares: unknown routes, and every thrown error turned into problem+json.
// Client mistakes are answered 4xx and logged without a stack; only real bugs are 500s.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DatabaseUnavailableError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { HttpProblem, sendProblem } from './problem.ts';
import { requestIdOf } from './request-context.ts';

/** Seconds a client should wait before retrying after a 503. */
const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;

// body-parser reports its failures with a `type`; each is the client's fault.
const BODY_PARSER_PROBLEMS: Record<string, (limit?: number) => HttpProblem> = {
  'entity.parse.failed': () =>
    new HttpProblem(400, 'invalid-json', 'the request body is not valid JSON'),
  'entity.too.large': (limit) =>
    new HttpProblem(413, 'body-too-large', `the request body is larger than ${limit} bytes`),
  'encoding.unsupported': () =>
    new HttpProblem(415, 'unsupported-encoding', 'the request body encoding is not supported'),
  'charset.unsupported': () =>
    new HttpProblem(415, 'unsupported-charset', 'the request body must be UTF-8'),
  'request.aborted': () => new HttpProblem(400, 'request-aborted', 'the request was aborted'),
  'request.size.invalid': () =>
    new HttpProblem(
      400,
      'invalid-body-size',
      'the request body size does not match Content-Length',
    ),
};

export const notFound: RequestHandler = (req, _res, next) => {
  next(
    new HttpProblem(
      404,
      'not-found',
      `no route for ${req.method} ${req.originalUrl.split('?')[0]}`,
    ),
  );
};

export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  const allow = allowed.join(', ');
  return (req, _res, next) => {
    next(
      new HttpProblem(
        405,
        'method-not-allowed',
        `${req.method} is not allowed here; use ${allow}`,
        undefined,
        {
          Allow: allow,
        },
      ),
    );
  };
}

function toProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DatabaseUnavailableError) {
    return new HttpProblem(
      503,
      'database-unavailable',
      'the database is not reachable right now; retry shortly',
      undefined,
      { 'Retry-After': String(RETRY_AFTER_UNAVAILABLE_SECONDS) },
    );
  }
  const { type, status, limit } = (error ?? {}) as {
    type?: string;
    status?: number;
    limit?: number;
  };
  const fromBodyParser = type ? BODY_PARSER_PROBLEMS[type] : undefined;
  if (fromBodyParser) return fromBodyParser(limit);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpProblem(status, 'bad-request', 'the request could not be understood');
  }
  return undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const problem = toProblem(error);
    if (problem) {
      sendProblem(res, problem);
      return;
    }
    // A bug: log it with its stack, answer without one.
    logger.error({ err: error, reqId: requestIdOf(res) }, 'unhandled error');
    sendProblem(res, new HttpProblem(500, 'internal-error', 'an unexpected error occurred'));
  };
}
