// The API's logger as npm start gives it: readable lines in a terminal (pino-pretty), the API's
// usual one JSON object per line everywhere else (a pipe, a file, a container), so tools that read
// the logs never see the pretty form.
import pretty from 'pino-pretty';
import type { Config } from '../../api/src/config.ts';
import { createLogger, type Logger } from '../../api/src/logger.ts';

export function startLogger(level: Config['logLevel'], stdout = process.stdout): Logger {
  if (!stdout.isTTY) return createLogger(level);
  return createLogger(
    level,
    pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }),
  );
}
