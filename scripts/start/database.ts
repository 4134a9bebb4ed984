// Which database `npm start` uses: the one the MYSQL_* settings name, or, when they are all left
// at their defaults and nothing answers there, a private server of its own (db/local-server.ts)
// kept in a git-ignored folder between runs. With settings of the user's own it never starts one:
// it says what it tried and how to fix it (docs/database.md, "The private development server").
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import type { Config } from '../../api/src/config.ts';
import { findServerBinary, LocalServer, SERVER_BINARIES } from '../../db/local-server.ts';
import { freePort } from '../lib/ports.ts';
import { say } from './say.ts';

/** The variables that say where the server is and who logs in; MYSQL_DATABASE only names a database on it. */
const SERVER_SETTINGS = [
  'MYSQL_HOST',
  'MYSQL_PORT',
  'MYSQL_USER',
  'MYSQL_PASSWORD',
  'MYSQL_PASSWORD_FILE',
] as const;
const DEFAULT_PRIVATE_DIRECTORY = fileURLToPath(
  new URL('../../.tristack/mariadb', import.meta.url),
);
const PROBE_TIMEOUT_MS = 2000;

export const CONTAINER_COMMAND =
  'docker run -d --name tristack-db -p 127.0.0.1:3306:3306 -e MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1 mariadb:10.11';

export interface ChosenDatabase {
  mysql: Config['mysql'];
  /** The private server npm start runs, to be stopped when npm start stops. */
  privateServer?: LocalServer;
}

type Probe = { ok: true } | { ok: false; code: string; message: string };

async function probe(mysqlConfig: Config['mysql']): Promise<Probe> {
  try {
    const { host, port, user, password } = mysqlConfig;
    const connection = await mysql.createConnection({
      host,
      port,
      user,
      password,
      connectTimeout: PROBE_TIMEOUT_MS,
    });
    await connection.end();
    return { ok: true };
  } catch (error) {
    const { code = 'ERROR', message } = error as { code?: string; message: string };
    return { ok: false, code, message };
  }
}

function usesOwnSettings(env: NodeJS.ProcessEnv): string[] {
  return SERVER_SETTINGS.filter((name) => (env[name] ?? '') !== '');
}

function fixes(binaryInstalled: boolean, accessDenied: boolean): string {
  const lines = [`  run one in a container: ${CONTAINER_COMMAND}`];
  if (accessDenied) {
    lines.push(
      `  let root log in over TCP: sudo mariadb -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')"`,
    );
  }
  if (!binaryInstalled) {
    lines.push(
      '  or install the server (sudo apt-get install -y mariadb-server): with the MYSQL_* settings unset and nothing on 127.0.0.1:3306, npm start then runs a private one',
    );
  }
  lines.push('  or point MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD at a server you have');
  return lines.join('\n');
}

/** Finds the database to use, starting the private server when the rules above allow it. */
export async function chooseDatabase(
  mysqlConfig: Config['mysql'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChosenDatabase> {
  const found = await probe(mysqlConfig);
  if (found.ok) return { mysql: mysqlConfig };

  const { host, port, user } = mysqlConfig;
  const tried = `${user}@${host}:${port}: ${found.message}`;
  const ownSettings = usesOwnSettings(env);
  const binary = findServerBinary();
  if (ownSettings.length === 0 && found.code === 'ECONNREFUSED' && binary) {
    const directory = env.TRISTACK_LOCAL_DB_DIR || DEFAULT_PRIVATE_DIRECTORY;
    const server = await LocalServer.start({ binary, directory, port: await freePort() });
    say(
      `nothing answers on ${host}:${port}: started a private ${binary} on 127.0.0.1:${server.port} (data in ${directory}, log in ${server.logFile})`,
    );
    return { mysql: { ...mysqlConfig, ...server.address }, privateServer: server };
  }

  const why =
    ownSettings.length > 0
      ? `the settings are your own (${ownSettings.join(', ')})`
      : found.code !== 'ECONNREFUSED'
        ? 'a server answers there'
        : `no server binary is installed (looked in ${SERVER_BINARIES.join(', ')})`;
  say(
    `cannot use the database at ${tried}\n` +
      `  no private server was started: ${why}. To fix it:\n` +
      fixes(binary !== undefined, found.code === 'ER_ACCESS_DENIED_ERROR'),
  );
  return { mysql: mysqlConfig };
}
