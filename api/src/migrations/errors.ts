// The one error a migration run ends with: a message that says what to do, and the file when one
// is to blame. The CLI prints the message as its one line.

export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    message: string,
    /** The file to blame (as displayPath gives it), when there is one. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `CODE: message` for a database error, the message for anything else. */
export function databaseReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  return code ? `${code}: ${error.message}` : error.message;
}
