// Real traffic for the API: what a client and a misbehaving client send, with the statuses the
// contract promises, so the tests can compare /metrics with what was really sent.
import mysql from 'mysql2/promise';
import { databaseServerFromEnv } from '../../../scripts/lib/database-server.ts';

/** How many requests of each kind a burst sends; the expected counts derive from these. */
export const BURST = {
  /** GET /items/:id for an id that does not exist, half of them under /api. */
  missingItemReads: 12,
  /** GET /items. */
  listReads: 5,
  /** POST /items with a good name: 201. */
  creates: 4,
  /** POST /items with an empty name: 400. */
  badCreates: 1,
  /** GET on paths no route serves: 404 "unmatched". */
  unknownPaths: 3,
} as const;

const MISSING_ID = 987_654;
/** The X-Request-Id each missing-item read carries, so its log line can be found. */
export const missingItemRequestId = (index: number) => `missing-item-${index}`;
const JSON_HEADERS = { 'content-type': 'application/json' };

async function expectStatus(response: Promise<Response>, status: number, what: string) {
  const answer = await response;
  await answer.arrayBuffer();
  if (answer.status !== status) {
    throw new Error(`${what} answered ${answer.status}, expected ${status}`);
  }
}

/** Sends one burst (sequentially, so the counts are exact) and checks every answer's status. */
export async function sendBurst(baseUrl: string): Promise<void> {
  for (let index = 0; index < BURST.missingItemReads; index += 1) {
    const prefix = index % 2 === 0 ? '' : '/api';
    await expectStatus(
      fetch(`${baseUrl}${prefix}/items/${MISSING_ID + index}`, {
        headers: { 'X-Request-Id': missingItemRequestId(index) },
      }),
      404,
      'GET missing',
    );
  }
  for (let index = 0; index < BURST.listReads; index += 1) {
    await expectStatus(fetch(`${baseUrl}/items?limit=2`), 200, 'GET /items');
  }
  for (let index = 0; index < BURST.creates; index += 1) {
    const body = JSON.stringify({ name: `monitoring ${index}` });
    await expectStatus(
      fetch(`${baseUrl}/items`, { method: 'POST', headers: JSON_HEADERS, body }),
      201,
      'POST /items',
    );
  }
  for (let index = 0; index < BURST.badCreates; index += 1) {
    const body = JSON.stringify({ name: '' });
    await expectStatus(
      fetch(`${baseUrl}/items`, { method: 'POST', headers: JSON_HEADERS, body }),
      400,
      'POST /items with an empty name',
    );
  }
  for (let index = 0; index < BURST.unknownPaths; index += 1) {
    await expectStatus(fetch(`${baseUrl}/no/such/path/${index}`), 404, 'GET unknown path');
  }
}

/**
 * Makes the database refuse the API's statements for a moment (the items table is renamed away
 * and back), so that database errors and 5xx answers are real, then checks the API recovered.
 */
export async function sendDuringDatabaseFault(
  baseUrl: string,
  database: string,
  requests: number,
): Promise<void> {
  const connection = await mysql.createConnection({ ...databaseServerFromEnv(), database });
  try {
    await connection.query('RENAME TABLE items TO items_away');
    try {
      for (let index = 0; index < requests; index += 1) {
        await expectStatus(fetch(`${baseUrl}/items`), 500, 'GET /items without its table');
      }
    } finally {
      await connection.query('RENAME TABLE items_away TO items');
    }
  } finally {
    await connection.end();
  }
  await expectStatus(fetch(`${baseUrl}/items`), 200, 'GET /items after the fault');
}
