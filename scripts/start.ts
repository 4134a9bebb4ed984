// `npm start`: the whole app on this machine without Docker. Finds the database (or starts a
// private one, scripts/start/database.ts), creates it and applies db/init.sql when missing,
// starts the API on API_PORT and serves front/ on FRONT_PORT with /api forwarded to the API.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../api/src/config.ts';
import { startApi } from '../api/src/server.ts';
import { ensureDatabase } from '../db/bootstrap.ts';
import { startFrontServer } from './front-server.ts';
import { chooseDatabase } from './start/database.ts';
import { startLogger } from './start/logger.ts';
import { fail, say } from './start/say.ts';

// .env is Compose's file (an app user that exists only in the db container); local overrides
// go in .env.local. Variables already set in the shell win over both.
const LOCAL_ENV_FILE = '.env.local';
if (existsSync(LOCAL_ENV_FILE)) process.loadEnvFile(LOCAL_ENV_FILE);

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

const chosen = await chooseDatabase(config.mysql);
config = { ...config, mysql: chosen.mysql };
const { host, port, user, database } = config.mysql;
try {
  const outcome = await ensureDatabase(config.mysql, database);
  if (outcome.created) say(`created database ${database}`);
  if (outcome.initialised) say(`applied db/init.sql to ${database}`);
} catch (error) {
  // The API still starts (and answers 503) so the page shows the problem.
  say(
    `cannot prepare database ${database} on ${host}:${port} as ${user}: ${(error as Error).message}`,
  );
}

const api = await startApi(config, startLogger(config.logLevel));
const front = await startFrontServer(frontPort.data, api.port);
say(`page on http://localhost:${frontPort.data}  API on http://localhost:${api.port}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    front.close();
    front.closeAllConnections();
    const drained = await api.shutdown(signal);
    await chosen.privateServer?.stop();
    process.exit(drained ? 0 : 1);
  });
}
