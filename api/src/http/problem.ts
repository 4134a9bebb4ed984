// RFC 9457 problem details: the one shape of every error answer.
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { sendJson } from './json.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

/** An answer other than success; thrown by handlers, rendered by the error handler. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    /** Short stable slug that names the kind of problem (becomes part of `type`). */
    readonly kind: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  toBody(): ProblemBody {
    return {
      type: `urn:tristack:problem:${this.kind}`,
      title: STATUS_CODES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export function sendProblem(res: Response, problem: HttpProblem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  sendJson(res, problem.status, problem.toBody(), `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
}
