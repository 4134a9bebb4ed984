// The MySQL pool and the one way the API talks to it: every call is bounded by
// MYSQL_TIMEOUT_MS (waiting for a connection, connecting and the query together), and every
// failure to reach the database becomes a DatabaseUnavailableError (a 503, never a hang).
import mysql from 'mysql2';
import type { Config } from './config.ts';
import { DatabaseUnavailableError } from './errors.ts';
import type { Logger } from './logger.ts';

/** Connections per API process: enough for the 2-core pods we size for, small for MySQL. */
export const POOL_CONNECTION_LIMIT = 10;
/** Requests allowed to wait for a connection; beyond this they fail at once with a 503. */
export const POOL_QUEUE_LIMIT = 200;
const POOL_IDLE_TIMEOUT_MS = 60_000;

export type SqlParams = (string | number | null)[];

export interface PoolStats {
  inUse: number;
  idle: number;
  queued: number;
}

export type QueryObserver = (
  operation: string,
  seconds: number,
  outcome: 'ok' | 'unavailable' | 'error',
) => void;

export interface Database {
  /** Runs one statement; `operation` names it for logs and metrics (e.g. `items.list`). */
  query<T>(operation: string, sql: string, params?: SqlParams): Promise<T>;
  /** True when the database answers `SELECT 1` in time. */
  ping(): Promise<boolean>;
  /** Whether the last call reached the database. */
  isAvailable(): boolean;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

// Errors that say "the database is out of reach", as opposed to a bug in our SQL.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return error.message === 'Queue limit reached.' || error.message.includes('Pool is closed');
}

/** The password was refused: the server answers, but not to us. */
const ACCESS_DENIED = 'ER_ACCESS_DENIED_ERROR';

/** What kind of failure this is, so that the same one seen again on every probe is logged once. */
function failureKind(error: unknown): string {
  if (error instanceof DatabaseUnavailableError && error.cause) return failureKind(error.cause);
  const code = (error as { code?: string } | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * The mysql image sets its users' passwords on the first boot only: a Secret rotated while the
 * data volume was kept leaves the API with a password the server no longer knows (or never knew).
 */
function logAccessDenied(settings: Config['mysql'], logger: Logger, reason: string): void {
  const { user, host, port, database } = settings;
  logger.error(
    { event: 'database.access-denied', user, host, port, database, reason },
    `database at ${host}:${port} refused user '${user}' (access denied): the password is wrong, ` +
      'or was rotated while the data volume kept the old one (docs/database.md, rotation)',
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  return code ? `${code}: ${error.message}` : error.message;
}

export function createDatabase(
  settings: Config['mysql'],
  logger: Logger,
  observe: QueryObserver = () => {},
): Database {
  const pool = mysql.createPool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    connectTimeout: settings.timeoutMs,
    connectionLimit: POOL_CONNECTION_LIMIT,
    maxIdle: POOL_CONNECTION_LIMIT,
    idleTimeout: POOL_IDLE_TIMEOUT_MS,
    queueLimit: POOL_QUEUE_LIMIT,
    waitForConnections: true,
    enableKeepAlive: true,
    charset: 'utf8mb4_unicode_ci',
    // created_at and updated_at are UTC DATETIMEs: read as UTC whatever the server's time zone.
    timezone: 'Z',
  });
  // Errors reach each query's callback; the pool's own event would otherwise crash the process.
  pool.on('error', () => {});

  let available = true;
  let lastFailure: string | undefined;
  /**
   * Logs each change, never each probe: the loss of the database, a change in why it cannot be
   * reached (a server back up that now refuses the password), and its return.
   */
  function markAvailable(now: boolean, error?: unknown): void {
    if (now) {
      lastFailure = undefined;
      if (available) return;
      available = true;
      logger.info({ event: 'database.recovered' }, 'database reachable again');
      return;
    }
    const failure = failureKind(error);
    const changed = available || failure !== lastFailure;
    available = false;
    lastFailure = failure;
    if (!changed) return;
    const reason = describe(error);
    if (failure === ACCESS_DENIED) logAccessDenied(settings, logger, reason);
    else logger.warn({ event: 'database.lost', reason }, 'database unreachable');
  }

  /**
   * One statement on a pooled connection, all of it (waiting for a connection, connecting, the
   * query) within MYSQL_TIMEOUT_MS. mysql2's callback API: its promise API captures a stack
   * trace on every query, a measurable cost on the hot path.
   */
  function run(sql: string, params: SqlParams): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let answered = false;
      const deadline = setTimeout(() => {
        answered = true;
        reject(new DatabaseUnavailableError(`no answer within ${settings.timeoutMs} ms`));
      }, settings.timeoutMs);
      pool.getConnection((connectError, connection) => {
        if (answered) {
          // The request was answered 503: its statement must never run, or a client told
          // "failed" would find its write done.
          connection?.release();
          return;
        }
        if (connectError) {
          answered = true;
          clearTimeout(deadline);
          reject(connectError);
          return;
        }
        const remainingMs = Math.max(1, settings.timeoutMs - (performance.now() - started));
        connection.query({ sql, values: params, timeout: remainingMs }, (queryError, rows) => {
          // After a timeout the statement may still be running: never hand that connection on.
          if (queryError && isUnavailable(queryError)) connection.destroy();
          else connection.release();
          if (answered) return;
          answered = true;
          clearTimeout(deadline);
          if (queryError) reject(queryError);
          else resolve(rows);
        });
      });
    });
  }

  async function query<T>(operation: string, sql: string, params: SqlParams = []): Promise<T> {
    const started = performance.now();
    try {
      const rows = await run(sql, params);
      observe(operation, (performance.now() - started) / 1000, 'ok');
      markAvailable(true);
      return rows as T;
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      if (!isUnavailable(error)) {
        observe(operation, seconds, 'error');
        throw error;
      }
      observe(operation, seconds, 'unavailable');
      markAvailable(false, error);
      throw error instanceof DatabaseUnavailableError
        ? error
        : new DatabaseUnavailableError(describe(error), { cause: error });
    }
  }

  // mysql2 has no public pool statistics; these internal queues are stable across 3.x.
  const internals = pool as unknown as Record<
    '_allConnections' | '_freeConnections' | '_connectionQueue',
    { length: number }
  >;

  return {
    query,
    async ping() {
      try {
        await query('ping', 'SELECT 1');
        return true;
      } catch (error) {
        if (!(error instanceof DatabaseUnavailableError)) throw error;
        return false;
      }
    },
    isAvailable: () => available,
    poolStats: () => ({
      inUse: internals._allConnections.length - internals._freeConnections.length,
      idle: internals._freeConnections.length,
      queued: internals._connectionQueue.length,
    }),
    close: () =>
      new Promise<void>((resolve, reject) =>
        pool.end((error) => (error ? reject(error) : resolve())),
      ),
  };
}
