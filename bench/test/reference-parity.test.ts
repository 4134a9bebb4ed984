// The reference is a floor only if it does the API's work: the same rows, the same JSON. A column
// the API returns and the reference skips (as updated_at once was) would flatter the reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { createSeededDatabase, type SeededDatabase } from '../src/database.ts';
import { buildServers, type RunningServer, startApi, startReference } from '../src/servers.ts';

const ROWS = 300;
const POOL_SIZE = 2;
const RENAMED_ID = 7;

describe('the reference server', () => {
  let database: SeededDatabase;
  let api: RunningServer;
  let reference: RunningServer;

  beforeAll(async () => {
    buildServers();
    const server = databaseServerFromEnv();
    database = await createSeededDatabase(server, ROWS);
    [api, reference] = await Promise.all([
      startApi(server, database.name),
      startReference(server, database.name, POOL_SIZE),
    ]);
    const renamed = await fetch(`${api.baseUrl}/items/${RENAMED_ID}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'renamed, so updated_at is set' }),
    });
    expect(renamed.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api?.process.stop(), reference?.process.stop()]);
    await database?.drop();
  });

  it.each(['/items', '/items?limit=50&after=100', `/items/${RENAMED_ID}`, '/items/1'])(
    'answers %s with the body the API answers',
    async (path) => {
      const [fromApi, fromReference] = await Promise.all(
        [api, reference].map(async (target) => {
          const response = await fetch(`${target.baseUrl}${path}`);
          return { status: response.status, body: await response.json() };
        }),
      );
      expect(fromReference).toEqual(fromApi);
    },
  );
});
