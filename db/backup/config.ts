// Where the backup and restore commands connect: the API's own MYSQL_* variables, defaults and
// validation (api/src/config.ts), so a shell or a container that runs the API runs these too.
import { API_ENV_VARS, ConfigError, loadConfig } from '../../api/src/config.ts';
import type { ServerAddress } from '../bootstrap.ts';
import { USAGE_EXIT_CODE, UserError } from './errors.ts';

export interface BackupTarget {
  server: ServerAddress;
  database: string;
}

const MYSQL_VARIABLES = API_ENV_VARS.filter((name) => name.startsWith('MYSQL_'));

/**
 * The MYSQL_* variables of `env`, parsed by the API's schema. Only those are passed on: the
 * API's other variables (CORS_ORIGINS, LOG_LEVEL...) mean nothing to a backup, and a value there
 * that the API would refuse must not stop one.
 */
export function loadBackupTarget(env: NodeJS.ProcessEnv = process.env): BackupTarget {
  const mysqlOnly = Object.fromEntries(MYSQL_VARIABLES.map((name) => [name, env[name]]));
  try {
    const { mysql } = loadConfig(mysqlOnly);
    return {
      server: {
        host: mysql.host,
        port: mysql.port,
        user: mysql.user,
        password: mysql.password,
        connectTimeoutMs: mysql.timeoutMs,
      },
      database: mysql.database,
    };
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message, USAGE_EXIT_CODE);
    throw error;
  }
}
