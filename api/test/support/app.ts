// Builds the real app (real pool, real database) for supertest, capturing its JSON log lines.
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { mysqlEnv } from '../../../db/bootstrap.ts';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';
import { createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createDatabase, type Database } from '../../src/db.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { Lifecycle } from '../../src/server.ts';
import { useScratchDatabase } from './database.ts';

export interface LogLine {
  level: string;
  msg?: string;
  err?: { stack?: string };
  [key: string]: unknown;
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  db: Database;
  config: Config;
  lifecycle: Lifecycle;
  logs: LogLine[];
  close(): Promise<void>;
}

/** The contract's variables for a test: the test database server plus the given overrides. */
export function testEnv(
  database: string,
  overrides: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const server = databaseServerFromEnv();
  return {
    ...mysqlEnv(server, database),
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

export function buildTestApp(database: string, overrides: Record<string, string> = {}): TestApp {
  const config = loadConfig(testEnv(database, overrides));
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const metrics = createMetrics();
  const db = createDatabase(config.mysql, logger, metrics.observeQuery);
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp({ config, db, logger, metrics, lifecycle });
  return { app, db, config, lifecycle, logs, close: () => db.close() };
}

/** Both paths every route answers at. */
export const PREFIXES = ['', '/api'] as const;

/**
 * Registers hooks that give the suite a scratch database and an app on it; the returned object
 * is filled in before the first test runs.
 */
export function useTestApp(overrides: Record<string, string> = {}): TestApp & { database: string } {
  const database = useScratchDatabase();
  const suite = {} as TestApp & { database: string };
  beforeAll(() => {
    Object.assign(suite, buildTestApp(database.name, overrides), { database: database.name });
  });
  afterAll(() => suite.close());
  return suite;
}
