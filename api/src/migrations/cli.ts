// `npm run db:migrate`, and the migrate service of docker-compose.yml (`node dist/migrations/cli.js`
// in the API image): applies db/migrations to the database the MYSQL_* variables name, with the
// API's own rules and defaults for them. Exit codes: 0 applied (or nothing to do), 1 the run
// failed (one line on stderr says why), 2 the configuration or the command line is wrong.
import { ConfigError, loadMysqlConfig } from '../config.ts';
import { MigrationError, migrate } from './migrate.ts';

const NAME = 'db:migrate';
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

async function main(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(
      `${NAME}: takes no arguments (got ${args.join(' ')}); it reads MYSQL_HOST, MYSQL_PORT, ` +
        'MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD or MYSQL_PASSWORD_FILE, MYSQL_TIMEOUT_MS',
    );
    return EXIT_USAGE;
  }
  let settings: ReturnType<typeof loadMysqlConfig>;
  try {
    settings = loadMysqlConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return EXIT_USAGE;
  }
  const { host, port, user, password, database, timeoutMs } = settings;
  try {
    await migrate({ host, port, user, password, connectTimeoutMs: timeoutMs }, database, {
      logger: { info: (message) => console.log(`${NAME}: ${message}`) },
    });
    return 0;
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    console.error(`${NAME}: ${error.message}`);
    return EXIT_FAILED;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`${NAME}: unexpected failure:`, error);
    process.exitCode = EXIT_FAILED;
  },
);
