// Fails the whole run at once, with one line saying what to do, when no database is reachable:
// a suite that skipped its database tests and passed would prove nothing.
import mysql from 'mysql2/promise';
import { testServerAddress } from './database.ts';

const PROBE_TIMEOUT_MS = 3000;

export default async function requireDatabase(): Promise<void> {
  const server = testServerAddress();
  try {
    const connection = await mysql.createConnection({
      ...server,
      connectTimeout: PROBE_TIMEOUT_MS,
    });
    await connection.end();
  } catch (error) {
    throw new Error(
      `No MySQL/MariaDB reachable at ${server.host}:${server.port} as ${server.user} (${(error as Error).message}). ` +
        "Start one (sudo service mariadb start, or the README's one-line docker run) or set MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD.",
    );
  }
}
