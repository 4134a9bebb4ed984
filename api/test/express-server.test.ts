// The production server builds requests and responses with Express's prototypes from the start,
// so Express never has to swap a prototype on the hot path (src/http/express-server.ts).
import { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../scripts/lib/ports.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningApi, startApi } from '../src/server.ts';
import { testEnv } from './support/app.ts';
import { useScratchDatabase } from './support/database.ts';

describe('the production HTTP server', () => {
  const database = useScratchDatabase();
  let api: RunningApi;
  let baseUrl: string;
  beforeAll(async () => {
    const config = loadConfig(testEnv(database.name, { API_PORT: String(await freePort()) }));
    api = await startApi(config, createLogger('silent'));
    baseUrl = `http://127.0.0.1:${api.port}`;
  });
  afterAll(async () => {
    await api?.shutdown('test over');
  });

  it('never changes the prototype of a request or a response, on any kind of answer', async () => {
    // Each call on a request or a response: did it change the prototype?
    const changedPrototype: boolean[] = [];
    const setPrototypeOf = Object.setPrototypeOf;
    const spy = vi.spyOn(Object, 'setPrototypeOf').mockImplementation((target, prototype) => {
      if (target instanceof IncomingMessage || target instanceof ServerResponse) {
        changedPrototype.push(Object.getPrototypeOf(target) !== prototype);
      }
      return setPrototypeOf(target, prototype);
    });
    try {
      const created = await fetch(`${baseUrl}/api/items`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Prototype' }),
      });
      expect(created.status).toBe(201);
      const location = created.headers.get('location');
      expect(location).toMatch(/^\/api\/items\/\d+$/);
      const answers = await Promise.all(
        [
          `${baseUrl}${location}`,
          `${baseUrl}/items?limit=1`,
          `${baseUrl}/status`,
          `${baseUrl}/nope`,
        ].map(async (url) => (await fetch(url)).status),
      );
      expect(answers).toEqual([200, 200, 200, 404]);
      expect((await fetch(`${baseUrl}${location}`, { method: 'DELETE' })).status).toBe(204);

      // Express still asks, once for each of the 6 requests and once for each response, and is never obeyed.
      expect(changedPrototype).toHaveLength(12);
      expect(changedPrototype.filter(Boolean)).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
