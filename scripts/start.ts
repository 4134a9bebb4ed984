// `npm start`: the whole app on this machine without Docker, against a local MySQL/MariaDB.
// Creates the database and applies db/init.sql when missing, starts the API on API_PORT and
// serves front/ on FRONT_PORT with /api forwarded to the API.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../api/src/config.ts';
import { startApi } from '../api/src/server.ts';
import { ensureDatabase } from '../db/bootstrap.ts';
import { startFrontServer } from './front-server.ts';

// .env is Compose's file (an app user that exists only in the db container); local overrides
// go in .env.local. Variables already set in the shell win over both.
const LOCAL_ENV_FILE = '.env.local';
if (existsSync(LOCAL_ENV_FILE)) process.loadEnvFile(LOCAL_ENV_FILE);

function fail(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(2);
}

const frontPort = z.coerce
  .number()
  .int()
  .min(1)
  .max(65_535)
  .safeParse(process.env.FRONT_PORT || 8080);
if (!frontPort.success) fail('FRONT_PORT: must be a port from 1 to 65535');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

const { host, port, user, database } = config.mysql;
try {
  const outcome = await ensureDatabase(config.mysql, database);
  if (outcome.created) console.log(`npm start: created database ${database}`);
  if (outcome.initialised) console.log(`npm start: applied db/init.sql to ${database}`);
} catch (error) {
  // The API still starts (and answers 503) so the page shows the problem; say how to fix it.
  console.error(
    `npm start: cannot prepare database ${database} on ${host}:${port} as ${user}: ${(error as Error).message}\n` +
      '  Start MySQL/MariaDB locally or run one in a container (see README, "No database?"),\n' +
      '  or point MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD at yours.',
  );
}

const api = await startApi(config);
const front = await startFrontServer(frontPort.data, api.port);
console.log(
  `npm start: page on http://localhost:${frontPort.data}  API on http://localhost:${api.port}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    front.close();
    front.closeAllConnections();
    const drained = await api.shutdown(signal);
    process.exit(drained ? 0 : 1);
  });
}
