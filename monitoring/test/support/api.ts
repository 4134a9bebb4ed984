// The API as it runs for real (`node --import tsx api/src/main.ts`), on a free port, against a
// scratch database made from db/init.sql; stopped and dropped after the suite, also on failure.
import { afterAll, beforeAll } from 'vitest';
import { type ApiProcess, startApiProcess } from '../../../api/test/support/api-process.ts';
import { createScratchDatabase, mysqlEnv, type ScratchDatabase } from '../../../db/bootstrap.ts';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';

export interface RunningApi {
  readonly baseUrl: string;
  readonly database: string;
  readonly logLines: string[];
}

/** Registers hooks that start the API before the suite and stop it after. */
export function useRunningApi(extraEnv: NodeJS.ProcessEnv = {}): RunningApi {
  let scratch: ScratchDatabase | undefined;
  let api: ApiProcess | undefined;
  beforeAll(async () => {
    const server = databaseServerFromEnv();
    scratch = await createScratchDatabase(server, 'tristack_monitoring');
    api = await startApiProcess({
      ...mysqlEnv(server, scratch.name),
      // Bursts come from one address: the limit would turn them into 429s.
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
      ...extraEnv,
    });
  });
  afterAll(async () => {
    await api?.stop('SIGKILL');
    await scratch?.drop();
  });
  return {
    get baseUrl() {
      if (!api) throw new Error('the API runs only inside tests');
      return api.baseUrl;
    },
    get database() {
      if (!scratch) throw new Error('the scratch database exists only inside tests');
      return scratch.name;
    },
    get logLines() {
      return api?.stdout ?? [];
    },
  };
}

/** The API's /metrics answer, as text. */
export async function fetchMetrics(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}
