// Runs `db:backup` and `db:restore` as `npm run` does (tsx on db/backup/cli.ts) against the
// test server, and reads what a database holds, so tests compare contents, not exit codes.
import mysql from 'mysql2/promise';
import { mysqlEnv } from '../../../db/bootstrap.ts';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';
import { RunningProcess } from '../../../scripts/lib/processes.ts';
import { REPO_ROOT } from '../../../test/support/repo.ts';

const CLI = 'db/backup/cli.ts';

export interface CliRun {
  code: number | null;
  output: string;
}

/** `npm run db:<command> -- ...args` with MYSQL_DATABASE=database; `env` adds or overrides. */
export async function runCli(
  command: 'backup' | 'restore',
  args: string[],
  database: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  const started = RunningProcess.start(
    process.execPath,
    ['--import', 'tsx', CLI, command, ...args],
    {
      name: `db:${command}`,
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, ...mysqlEnv(databaseServerFromEnv(), database), ...env },
    },
  );
  const { code } = await started.exited;
  return { code, output: started.output() };
}

export async function withConnection<T>(
  use: (connection: mysql.Connection) => Promise<T>,
  database?: string,
): Promise<T> {
  const connection = await mysql.createConnection({
    ...databaseServerFromEnv(),
    ...(database ? { database } : {}),
    // created_at exactly as stored, not as a JavaScript Date rounded through the time zone.
    dateStrings: true,
  });
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

/** Every table of `database` with every row, in primary-key order; {} when it does not exist. */
export async function databaseContents(database: string): Promise<Record<string, unknown[]>> {
  return withConnection(async (connection) => {
    const [tables] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
      [database],
    );
    const contents: Record<string, unknown[]> = {};
    for (const { name } of tables) {
      const [rows] = await connection.query(
        `SELECT * FROM ${mysql.escapeId(database)}.${mysql.escapeId(name)} ORDER BY 1`,
      );
      contents[name] = rows as unknown[];
    }
    return contents;
  });
}

/** The databases whose names start with `prefix`: restore's staging ones must not outlive it. */
export async function databasesStartingWith(prefix: string): Promise<string[]> {
  return withConnection(async (connection) => {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1',
      [`${prefix.replace(/_/g, '\\_')}%`],
    );
    return rows.map((row) => String(row.name));
  });
}
