// The whole front stack for a test file: a fresh database, the real API, and apache2 in front.
import { createScratchDatabase, type ScratchDatabase } from '../../../db/bootstrap.ts';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';
import { ApacheServer } from './apache-server.ts';
import { ApiServer } from './api-server.ts';

export interface FrontStack {
  database: ScratchDatabase;
  api: ApiServer;
  apache: ApacheServer;
  /** The page's address: httpd, which serves the files and proxies /api/. */
  url: string;
  close(): Promise<void>;
}

/** Runs every cleanup step in order, even after one fails, then reports the failures together. */
async function runAll(steps: Array<() => Promise<void>>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'cleaning up the front stack failed');
}

export async function startFrontStack(): Promise<FrontStack> {
  const cleanups: Array<() => Promise<void>> = [];
  // Last started, first stopped: httpd, then the API, then the database.
  const closeStarted = () => runAll([...cleanups].reverse());
  try {
    const database = await createScratchDatabase(databaseServerFromEnv(), 'tristack_front');
    cleanups.push(() => database.drop());
    const api = await ApiServer.start(database.name);
    cleanups.push(() => api.stop());
    const apache = await ApacheServer.start(api.url);
    cleanups.push(() => apache.stop());
    return { database, api, apache, url: apache.url, close: closeStarted };
  } catch (error) {
    await closeStarted().catch(() => undefined);
    throw error;
  }
}
