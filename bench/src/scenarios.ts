// What the benchmark asks of each server, as plain data: the load worker turns it into
// autocannon requests in its own process, so these must survive JSON.

/**
 * One request shape; `randomIdUpTo` replaces the id that ends `path` (`/items/1`) with a random
 * one from 1 to n for each request.
 */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  randomIdUpTo?: number;
  /** A JSON body sent with Content-Type: application/json. */
  jsonBody?: unknown;
  /** Extra request headers (a browser's Accept-Encoding, say). */
  headers?: Record<string, string>;
}

export type ScenarioId = 'first-page' | 'deep-page' | 'by-id' | 'status' | 'create' | 'mixed';

export interface Scenario {
  id: ScenarioId;
  description: string;
  /** Autocannon sends these in turn on every connection. */
  requests: RequestSpec[];
  /** Whether the reference server answers it too (it has no /status worth comparing, no writes). */
  alsoOnReference: boolean;
}

/** The API's default page, also the reference's: both pages compared are full pages of 100. */
export const PAGE_SIZE = 100;
/** 9 reads for 1 write: three of each read, then one create. */
const MIXED_READS_PER_KIND = 3;

/** A cursor with one full page (and one more row, so a Link header) after it, when the table allows. */
export function deepCursor(maxId: number): number {
  return Math.max(1, maxId - PAGE_SIZE - 1);
}

export function scenariosFor(maxId: number): Scenario[] {
  const firstPage: RequestSpec = { method: 'GET', path: '/items' };
  const deepPage: RequestSpec = { method: 'GET', path: `/items?after=${deepCursor(maxId)}` };
  const byId: RequestSpec = { method: 'GET', path: '/items/1', randomIdUpTo: maxId };
  const create: RequestSpec = { method: 'POST', path: '/items', jsonBody: { name: 'Bench write' } };
  return [
    { id: 'first-page', description: 'GET /items', requests: [firstPage], alsoOnReference: true },
    {
      id: 'deep-page',
      description: `GET /items?after=${deepCursor(maxId)}`,
      requests: [deepPage],
      alsoOnReference: true,
    },
    {
      id: 'by-id',
      description: 'GET /items/:id (random id)',
      requests: [byId],
      alsoOnReference: true,
    },
    {
      id: 'status',
      description: 'GET /status',
      requests: [{ method: 'GET', path: '/status' }],
      alsoOnReference: false,
    },
    // Writes come last: every POST grows the table the reads above measured.
    { id: 'create', description: 'POST /items', requests: [create], alsoOnReference: false },
    {
      id: 'mixed',
      description: '90% reads (first page, deep page, by id) / 10% POST /items',
      requests: [
        ...Array(MIXED_READS_PER_KIND).fill(firstPage),
        ...Array(MIXED_READS_PER_KIND).fill(deepPage),
        ...Array(MIXED_READS_PER_KIND).fill(byId),
        create,
      ],
      alsoOnReference: false,
    },
  ];
}
