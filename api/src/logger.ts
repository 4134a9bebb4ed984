// One JSON logger for the process. Secrets never reach it: request logs carry no headers or bodies
// (see http/request-context.ts) and the paths below are redacted should anyone log them.
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

const REDACTED_PATHS = [
  'password',
  '*.password',
  'mysql.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * Lines are written in batches of about this size: one write per line cost a fifth of the CPU,
 * and batches of 4 KiB (about 16 lines) still 3% of it under load. Just under sonic-boom's largest
 * single write (16 KiB).
 */
const LOG_BATCH_BYTES = 16_000;
/** ...and at least this often, so a quiet server's logs are never held back for long. */
export const LOG_FLUSH_INTERVAL_MS = 100;

/**
 * Asynchronous, batched writes to stdout: a slow log reader (a full pipe) never stalls requests.
 * pino flushes what is pending when the process exits.
 */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES });
  setInterval(() => {
    if (!(stream as { destroyed?: boolean }).destroyed) stream.flush();
  }, LOG_FLUSH_INTERVAL_MS).unref();
  return stream;
}

export function createLogger(level: Config['logLevel'], destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tristack-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? bufferedStdout(),
  );
}
