import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { PREFIXES, useTestApp } from './support/app.ts';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(PREFIXES)('reading items at "%s"', (prefix) => {
  const subject = useTestApp();

  it('lists the seed items Test A, Test B, Test C ordered by id, as JSON', async () => {
    const res = await request(subject.app).get(`${prefix}/items`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.map((item: { id: number; name: string }) => [item.id, item.name])).toEqual([
      [1, 'Test A'],
      [2, 'Test B'],
      [3, 'Test C'],
    ]);
    for (const item of res.body) {
      expect(Object.keys(item).sort()).toEqual(['created_at', 'id', 'name', 'updated_at']);
      expect(item.created_at).toMatch(ISO_8601);
      // Never renamed.
      expect(item.updated_at).toBeNull();
      expect(Math.abs(Date.parse(item.created_at) - Date.now())).toBeLessThan(10 * 60_000);
    }
  });

  it('sends no Link header when every item fits in the page', async () => {
    const res = await request(subject.app).get(`${prefix}/items`);
    expect(res.headers.link).toBeUndefined();
  });

  it('pages with ?limit and ?after and a Link rel="next" that reaches the end', async () => {
    const first = await request(subject.app).get(`${prefix}/items?limit=2`);
    expect(first.body.map((item: { name: string }) => item.name)).toEqual(['Test A', 'Test B']);
    expect(first.headers.link).toBe(`<${prefix}/items?limit=2&after=2>; rel="next"`);

    const nextUrl = /<([^>]+)>/.exec(first.headers.link as string)?.[1] as string;
    const second = await request(subject.app).get(nextUrl);
    expect(second.body.map((item: { name: string }) => item.name)).toEqual(['Test C']);
    expect(second.headers.link).toBeUndefined();
  });

  it('answers an empty array past the last item', async () => {
    const res = await request(subject.app).get(`${prefix}/items?after=3`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('answers GET /items/:id with the item', async () => {
    const res = await request(subject.app).get(`${prefix}/items/2`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 2, name: 'Test B' });
  });

  it('answers GET /items/:id 404 problem+json for an unknown id', async () => {
    const res = await request(subject.app).get(`${prefix}/items/424242`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'urn:tristack:problem:item-not-found',
      title: 'Not Found',
      status: 404,
      detail: 'there is no item 424242',
    });
  });
});

describe('a page size of 100 by default and 1000 at most', () => {
  const subject = useTestApp();
  beforeAll(async () => {
    const rows = Array.from({ length: 1100 }, (_, index) => [`bulk ${index}`]);
    await subject.db.query('test.seed', 'INSERT INTO items (name) VALUES ?', [rows as never]);
  });

  it('answers 100 items and a next link without ?limit', async () => {
    const res = await request(subject.app).get('/items');
    expect(res.body).toHaveLength(100);
    expect(res.headers.link).toBe('</items?limit=100&after=100>; rel="next"');
  });

  it('answers 1000 items with ?limit=1000', async () => {
    const res = await request(subject.app).get('/api/items?limit=1000');
    expect(res.body).toHaveLength(1000);
    expect(res.body[999].id).toBe(1000);
  });

  it('walks every item exactly once by following the Link headers', async () => {
    const seen: number[] = [];
    let next: string | undefined = '/items?limit=333';
    while (next) {
      const res = await request(subject.app).get(next);
      seen.push(...res.body.map((item: { id: number }) => item.id));
      next = /<([^>]+)>/.exec(res.headers.link ?? '')?.[1];
    }
    expect(seen).toHaveLength(1103);
    expect(new Set(seen).size).toBe(1103);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
