// Property-based: whatever clients send (bodies, ids, query strings, headers), the API never
// answers 5xx or hangs, every 4xx is problem+json, and the table holds exactly what the
// successful operations say it should.
import fc from 'fast-check';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/app.ts';
import { readItemsTable } from './support/database.ts';

const REQUEST_TIMEOUT_MS = 5000;

const hostileStrings = fc.constantFrom(
  "'; DROP TABLE items; --",
  '" OR 1=1 --',
  '\\',
  '%00',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '\u0000',
  'a\u0000b',
  '\u202Eevil',
  '\uD800',
  '\uFEFF name',
  '𝕏'.repeat(300),
  ' '.repeat(300),
  'x'.repeat(255),
  'x'.repeat(256),
);

const names = fc.oneof(
  fc.string({ minLength: 0, maxLength: 300 }),
  fc.string({ unit: 'binary', minLength: 0, maxLength: 300 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  hostileStrings,
);

const numbers = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, 2 ** 53 + 1, 2 ** 64, Number.MAX_VALUE),
);

function nested(depth: number): string {
  return `${'{"name":'.repeat(depth)}"deep"${'}'.repeat(depth)}`;
}

/** Raw request bodies: valid, almost valid, and nothing like valid. */
const bodies = fc.oneof(
  names.map((name) => JSON.stringify({ name })),
  fc.record({ name: names, extra: fc.jsonValue() }).map((body) => JSON.stringify(body)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify({ name: value })),
  numbers.map((value) => `{"name":${value}}`),
  fc
    .tuple(names, names)
    .map(([first, second]) => `{"name":${JSON.stringify(first)},"name":${JSON.stringify(second)}}`),
  fc.integer({ min: 1, max: 3000 }).map(nested),
  fc.integer({ min: 1, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 16_000, maxLength: 20_000 }).map((name) => JSON.stringify({ name })),
  fc.constant(''),
);

const contentTypes = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
    ),
  },
);

const ids = (known: () => number[]) =>
  fc.oneof(
    fc.nat({ max: 1000 }).map((index) => String(known()[index % Math.max(1, known().length)] ?? 1)),
    fc.integer({ min: -1000, max: 100_000 }).map(String),
    fc.constantFrom(
      '0',
      '-1',
      'abc',
      '1.5',
      '1e3',
      '0x1',
      ' 1',
      '9007199254740991',
      '9007199254740992',
      '99999999999999999999',
      '%00',
      '%2e%2e',
      '..',
    ),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
  );

const queryValue = fc.oneof(
  fc.integer({ min: -10, max: 2000 }).map(String),
  fc.constantFrom('', 'abc', '1.5', '1e2', '99999999999999999999', '%00', '0'),
  fc.string({ maxLength: 20 }),
);
const queryStrings = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'after', 'limit[]', 'after[x]', 'sort', '__proto__', 'constructor'),
      queryValue,
    ),
    { maxLength: 4 },
  )
  .map((pairs) =>
    pairs
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join('&'),
  );

const headerValue = fc
  .string({ unit: 'binary-ascii', maxLength: 200 })
  .map((value) => value.replace(/[^\x20-\x7e]/g, ''));
const headers = fc.record(
  {
    'X-Request-Id': headerValue,
    Origin: fc.oneof(
      headerValue,
      fc.constantFrom('http://localhost:8080', 'null', 'https://evil.example'),
    ),
    Accept: fc.oneof(headerValue, fc.constantFrom('*/*', 'application/json', 'text/html')),
    'Accept-Encoding': fc.constantFrom('gzip', 'identity', 'br, gzip;q=0.1', '*'),
  },
  { requiredKeys: [] },
);

type Operation =
  | { kind: 'create'; body: string; contentType: string }
  | { kind: 'rename'; id: string; body: string; contentType: string }
  | { kind: 'remove'; id: string }
  | { kind: 'read'; id: string }
  | { kind: 'list'; query: string };

function expectWellFormedAnswer(res: request.Response): void {
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(res.text);
    expect(problem).toMatchObject({
      status: res.status,
      type: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
  }
}

describe('hostile input, property-based', () => {
  const subject = useTestApp();
  const model = new Map<number, string>([
    [1, 'Test A'],
    [2, 'Test B'],
    [3, 'Test C'],
  ]);
  const knownIds = () => [...model.keys()];

  const operations = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), body: bodies, contentType: contentTypes }),
    fc.record({
      kind: fc.constant('rename' as const),
      id: ids(knownIds),
      body: bodies,
      contentType: contentTypes,
    }),
    fc.record({ kind: fc.constant('remove' as const), id: ids(knownIds) }),
    fc.record({ kind: fc.constant('read' as const), id: ids(knownIds) }),
    fc.record({ kind: fc.constant('list' as const), query: queryStrings }),
  );

  async function apply(operation: Operation, prefix: string): Promise<void> {
    const app = request(subject.app);
    let res: request.Response;
    switch (operation.kind) {
      case 'create':
        res = await app
          .post(`${prefix}/items`)
          .set('Content-Type', operation.contentType)
          .timeout(REQUEST_TIMEOUT_MS)
          .send(operation.body);
        if (res.status === 201) model.set(res.body.id, res.body.name);
        break;
      case 'rename':
        res = await app
          .put(`${prefix}/items/${operation.id}`)
          .set('Content-Type', operation.contentType)
          .timeout(REQUEST_TIMEOUT_MS)
          .send(operation.body);
        if (res.status === 200) {
          expect(model.has(res.body.id)).toBe(true);
          model.set(res.body.id, res.body.name);
        }
        break;
      case 'remove':
        res = await app.delete(`${prefix}/items/${operation.id}`).timeout(REQUEST_TIMEOUT_MS);
        if (res.status === 204) expect(model.delete(Number(operation.id))).toBe(true);
        break;
      case 'read':
        res = await app.get(`${prefix}/items/${operation.id}`).timeout(REQUEST_TIMEOUT_MS);
        if (res.status === 200) expect(res.body.name).toBe(model.get(res.body.id));
        break;
      case 'list':
        res = await app.get(`${prefix}/items?${operation.query}`).timeout(REQUEST_TIMEOUT_MS);
        if (res.status === 200)
          for (const item of res.body) expect(item.name).toBe(model.get(item.id));
        break;
    }
    expectWellFormedAnswer(res);
  }

  it('keeps every answer below 500, well-formed, and the table equal to the model', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operations, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('', '/api'),
        async (sequence, prefix) => {
          for (const operation of sequence) await apply(operation, prefix);
          const table = await readItemsTable(subject.database);
          expect(table).toEqual(
            [...model.entries()].sort(([a], [b]) => a - b).map(([id, name]) => ({ id, name })),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers any headers and query strings without a 5xx', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        headers,
        queryStrings,
        fc.constantFrom('/items', '/api/items', '/status', '/items/1', '/nope'),
        async (sent, query, path) => {
          const res = await request(subject.app)
            .get(`${path}?${query}`)
            .set(sent)
            .timeout(REQUEST_TIMEOUT_MS);
          expectWellFormedAnswer(res);
        },
      ),
      { numRuns: 200 },
    );
  });
});
