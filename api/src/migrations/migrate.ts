// Applies db/migrations to one database: under a lock, after the baseline, each file once, in
// order, recorded with its checksum in the history table. postgrator reads the files, checks
// the checksums, runs and records; this module adds what it leaves to its users (the lock, the
// baseline, errors that name the file) and the one rule that makes the history exact on MySQL.
//
// MySQL commits every DDL statement on its own, so a file of two statements that failed on the
// second would leave the first applied and unrecorded. The connection therefore refuses several
// statements in one query (no multipleStatements): the server rejects such a file as a syntax
// error before running any of it. Each migration is one statement, atomic on InnoDB (MySQL 8.4,
// MariaDB 10.6+), so after any failure the history holds exactly the migrations that were applied.
import mysql, { type Connection } from 'mysql2/promise';
import Postgrator from 'postgrator';
import { SCHEMA_HISTORY_TABLE } from '../schema-version.ts';
import {
  type BaselineOutcome,
  ensureBaseline,
  type MigrationServer,
  readHistory,
} from './baseline.ts';
import { databaseReason, MigrationError } from './errors.ts';
import { BASELINE_VERSION, readMigrationFiles, refuseSkippedFiles } from './files.ts';
import { acquireLock, LOCK_WAIT_SECONDS, releaseLock } from './lock.ts';
import { displayPath, INIT_SQL_PATH, MIGRATIONS_DIR } from './paths.ts';

export type { BaselineOutcome, MigrationServer };
export { MigrationError };

/** Where progress goes: console, or a pino logger. */
export interface MigrationLogger {
  info(message: string): void;
}

export interface MigrateOptions {
  logger?: MigrationLogger;
  /** @default db/migrations */
  migrationsDir?: string;
  /** @default db/init.sql */
  initSqlPath?: string;
  /** @default LOCK_WAIT_SECONDS */
  lockWaitSeconds?: number;
}

export interface MigrationResult {
  baseline: BaselineOutcome;
  /** The migrations this run applied, in order (`db/migrations/002.do.x.sql`). */
  applied: string[];
  /** The database's version once the run is over. */
  version: number;
}

const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const SILENT: MigrationLogger = { info: () => {} };

async function connect(server: MigrationServer, database: string): Promise<Connection> {
  try {
    return await mysql.createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database,
      connectTimeout: server.connectTimeoutMs ?? 5_000,
      multipleStatements: false,
    });
  } catch (error) {
    throw new MigrationError(
      `cannot connect to database ${database} on ${server.host}:${server.port} as ` +
        `${server.user}: ${databaseReason(error)}`,
      undefined,
      { cause: error },
    );
  }
}

/** Brings `database` to the latest migration; throws a MigrationError saying what stopped it. */
export async function migrate(
  server: MigrationServer,
  database: string,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  if (!DATABASE_NAME.test(database)) {
    throw new MigrationError(`database name "${database}" must be 1-64 letters, digits or _`);
  }
  const logger = options.logger ?? SILENT;
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  const initSqlPath = options.initSqlPath ?? INIT_SQL_PATH;
  const files = await readMigrationFiles(migrationsDir);

  const connection = await connect(server, database);
  try {
    // postgrator writes run_at from a UTC clock: store it as such.
    await connection.query("SET time_zone = '+00:00'");
    await acquireLock(connection, database, options.lockWaitSeconds ?? LOCK_WAIT_SECONDS, (m) =>
      logger.info(m),
    );
    try {
      const runner = new Runner(connection, database, migrationsDir, logger);
      const baseline = await ensureBaseline({
        connection,
        postgrator: runner.postgrator,
        server,
        database,
        initSqlPath,
      });
      if (baseline !== 'already-recorded') {
        logger.info(
          baseline === 'applied-init-sql'
            ? `${database} was empty: applied ${displayPath(initSqlPath)} as the baseline (version 1)`
            : `${database} was made by ${displayPath(initSqlPath)} before migrations: recorded as the baseline (version 1), rows untouched`,
        );
      }
      const history = await readHistory(connection);
      const databaseVersion = Math.max(0, ...history.map((row) => row.version));
      refuseSkippedFiles(
        files,
        history.map((row) => row.version),
        databaseVersion,
      );
      const applied = await runner.applyPending();
      const version = await runner.postgrator.getDatabaseVersion();
      logger.info(
        applied.length
          ? `${database} now at version ${version} (${applied.length} applied)`
          : `${database} already at version ${version}: nothing to apply`,
      );
      return { baseline, applied, version };
    } finally {
      // Best effort: closing the connection below releases the lock anyway.
      await releaseLock(connection, database).catch(() => {});
    }
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(`migration run failed: ${databaseReason(error)}`, undefined, {
      cause: error,
    });
  } finally {
    await connection.end().catch(() => {});
  }
}

/** postgrator on the run's own connection, tracking which file it is busy with. */
class Runner {
  readonly postgrator: Postgrator;
  private current:
    | { file: string; step: 'check' | 'apply' | 'record'; sqlSent?: boolean }
    | undefined;
  private readonly applied: string[] = [];
  private started = 0;

  constructor(
    connection: Connection,
    database: string,
    migrationsDir: string,
    logger: MigrationLogger,
  ) {
    this.postgrator = new Postgrator({
      migrationPattern: `${migrationsDir}/*.sql`,
      driver: 'mysql',
      database,
      schemaTable: SCHEMA_HISTORY_TABLE,
      execQuery: async (sql) => {
        // postgrator sends a migration's SQL, then the query that records it.
        if (this.current?.step === 'apply') {
          if (this.current.sqlSent) this.current.step = 'record';
          this.current.sqlSent = true;
        }
        const [rows] = await connection.query(sql);
        return { rows: Array.isArray(rows) ? rows : [] };
      },
    });
    this.postgrator.on('validation-started', (migration) => {
      this.current = { file: displayPath(migration.filename), step: 'check' };
    });
    this.postgrator.on('validation-finished', () => {
      this.current = undefined;
    });
    this.postgrator.on('migration-started', (migration) => {
      this.current = { file: displayPath(migration.filename), step: 'apply' };
      this.started = performance.now();
    });
    this.postgrator.on('migration-finished', (migration) => {
      this.current = undefined;
      // The baseline is reported on its own (migrate() above), not as a migration applied.
      if (migration.version === BASELINE_VERSION) return;
      const file = displayPath(migration.filename);
      this.applied.push(file);
      logger.info(`applied ${file} (${Math.round(performance.now() - this.started)} ms)`);
    });
  }

  /** Runs every migration above the database's version; the error names the file that stopped it. */
  async applyPending(): Promise<string[]> {
    try {
      await this.postgrator.migrate();
      return [...this.applied];
    } catch (error) {
      throw this.explain(error);
    }
  }

  private explain(error: unknown): MigrationError {
    const current = this.current;
    const reason = databaseReason(error);
    const before = this.applied.length
      ? `applied before it in this run: ${this.applied.join(', ')}`
      : 'nothing was applied in this run';
    if (!current)
      return new MigrationError(`migration run failed: ${reason}`, undefined, { cause: error });
    if (current.step === 'check') {
      if (!/checksum/i.test(reason)) {
        return new MigrationError(`checking ${current.file} failed: ${reason}`, current.file, {
          cause: error,
        });
      }
      return new MigrationError(
        `${current.file} changed after it was applied (its checksum differs from the one in ` +
          `${SCHEMA_HISTORY_TABLE}): restore it; changes go into a new migration`,
        current.file,
        { cause: error },
      );
    }
    if (current.step === 'record') {
      return new MigrationError(
        `${current.file} was applied but could not be recorded in ${SCHEMA_HISTORY_TABLE} ` +
          `(${reason}): record it by hand before running again; ${before}`,
        current.file,
        { cause: error },
      );
    }
    return new MigrationError(
      `${current.file} failed: ${reason}; ${before}; nothing after it ran`,
      current.file,
      { cause: error },
    );
  }
}
