// Errors the person at the terminal caused or can fix: the command line prints their message
// alone, never a stack trace, and exits with their code.

/** A bad argument or variable: nothing was tried. */
export const USAGE_EXIT_CODE = 2;
/** A refused or failed backup or restore: what was there is left as it was. */
export const FAILURE_EXIT_CODE = 1;

export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: number = FAILURE_EXIT_CODE,
  ) {
    super(message);
  }
}

/** mysql2's and Node's errors carry a code (ER_ACCESS_DENIED_ERROR, ECONNREFUSED): say both. */
export function describeDatabaseError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
