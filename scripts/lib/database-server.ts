// Which MySQL/MariaDB server the tests, the benchmark and the soak use, and a fast check that it
// answers, so that a run without one stops at once with one line saying what to do.
import mysql from 'mysql2/promise';
import type { ServerAddress } from '../../db/bootstrap.ts';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 3306;
const DEFAULT_USER = 'root';
const MAX_PORT = 65_535;
const REACHABILITY_TIMEOUT_MS = 3_000;

/**
 * The server named by MYSQL_HOST, MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD, with the defaults of
 * the usual developer setup (root, no password, on 127.0.0.1:3306). The same reading as the API's
 * own (api/src/config.ts): an empty host, port or user means "unset", as Compose writes
 * `MYSQL_HOST=` for a variable left blank; an empty MYSQL_PASSWORD is a real, empty password.
 */
export function databaseServerFromEnv(env: NodeJS.ProcessEnv = process.env): ServerAddress {
  const port = Number(env.MYSQL_PORT || DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) {
    throw new Error(`MYSQL_PORT must be a port from 1 to ${MAX_PORT}, got "${env.MYSQL_PORT}"`);
  }
  return {
    host: env.MYSQL_HOST || DEFAULT_HOST,
    port,
    user: env.MYSQL_USER || DEFAULT_USER,
    password: env.MYSQL_PASSWORD ?? '',
  };
}

/** Fails, naming the server and the way out, when nobody answers there within a few seconds. */
export async function assertDatabaseReachable(server: ServerAddress): Promise<void> {
  try {
    const connection = await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      connectTimeout: REACHABILITY_TIMEOUT_MS,
    });
    await connection.end();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `No MySQL/MariaDB reachable at ${server.host}:${server.port} as ${server.user} (${reason}). ` +
        "Start one (sudo service mariadb start, or the README's one-line docker run) or set " +
        'MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD.',
    );
  }
}
