// Errors the domain raises; http/errors.ts turns them into problem+json answers.

/** The database could not answer in time (down, paused, refusing us, or the pool is full). */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`database unavailable: ${reason}`, options);
  }
}
