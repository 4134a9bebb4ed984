// Every bad input gets the right 4xx with a problem+json body, leaves the table unchanged, and
// logs nothing at error level.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../src/items/items.routes.ts';
import { PREFIXES, useTestApp } from './support/app.ts';
import { readItemsTable } from './support/database.ts';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
interface BadRequest {
  what: string;
  method: Method;
  path: string;
  body?: string;
  contentType?: string;
  status: number;
}

const json = 'application/json';
const badNames: [string, string][] = [
  ['a missing name', '{}'],
  ['an empty name', '{"name":""}'],
  ['a whitespace-only name', '{"name":"   \\t "}'],
  ['a 256-character name', JSON.stringify({ name: 'x'.repeat(256) })],
  ['a numeric name', '{"name":42}'],
  ['a null name', '{"name":null}'],
  ['an array name', '{"name":["a"]}'],
  ['an object name', '{"name":{"first":"a"}}'],
  ['a boolean name', '{"name":true}'],
  ['a name with a NUL byte', '{"name":"a\\u0000b"}'],
  ['a name with a newline inside', '{"name":"a\\nb"}'],
  ['a name with a lone surrogate', '{"name":"a\\ud800b"}'],
  ['an unknown field', '{"name":"ok","admin":true}'],
  ['a JSON array body', '[{"name":"a"}]'],
  ['a JSON string body', '"a"'],
  ['invalid JSON', '{"name": "a"'],
  ['an empty body', ''],
];
const badIds = ['0', '-1', 'abc', '1.5', '99999999999999999999', '1e3', '0x10', ' 1'];
const badLimits = ['0', '-5', 'abc', '100000', '1001', '1.5', ''];

function cases(prefix: string): BadRequest[] {
  return [
    ...badNames.flatMap(([what, body]): BadRequest[] => [
      {
        what: `POST with ${what}`,
        method: 'post',
        path: `${prefix}/items`,
        body,
        contentType: json,
        status: 400,
      },
      {
        what: `PUT with ${what}`,
        method: 'put',
        path: `${prefix}/items/1`,
        body,
        contentType: json,
        status: 400,
      },
    ]),
    {
      what: 'POST as text/plain',
      method: 'post',
      path: `${prefix}/items`,
      body: '{"name":"a"}',
      contentType: 'text/plain',
      status: 415,
    },
    {
      what: 'POST as form data',
      method: 'post',
      path: `${prefix}/items`,
      body: 'name=a',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
    },
    {
      what: 'PUT with no content type',
      method: 'put',
      path: `${prefix}/items/1`,
      body: '{"name":"a"}',
      status: 415,
    },
    {
      what: 'POST in Latin-1',
      method: 'post',
      path: `${prefix}/items`,
      body: '{"name":"a"}',
      contentType: 'application/json; charset=latin1',
      status: 415,
    },
    {
      what: 'POST over the body limit',
      method: 'post',
      path: `${prefix}/items`,
      body: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT_BYTES) }),
      contentType: json,
      status: 413,
    },
    ...badIds.flatMap((id): BadRequest[] => [
      {
        what: `GET id ${JSON.stringify(id)}`,
        method: 'get',
        path: `${prefix}/items/${encodeURIComponent(id)}`,
        status: 400,
      },
      {
        what: `PUT id ${JSON.stringify(id)}`,
        method: 'put',
        path: `${prefix}/items/${encodeURIComponent(id)}`,
        body: '{"name":"a"}',
        contentType: json,
        status: 400,
      },
      {
        what: `DELETE id ${JSON.stringify(id)}`,
        method: 'delete',
        path: `${prefix}/items/${encodeURIComponent(id)}`,
        status: 400,
      },
    ]),
    ...badLimits.map(
      (limit): BadRequest => ({
        what: `limit ${JSON.stringify(limit)}`,
        method: 'get',
        path: `${prefix}/items?limit=${limit}`,
        status: 400,
      }),
    ),
    { what: 'after "abc"', method: 'get', path: `${prefix}/items?after=abc`, status: 400 },
    { what: 'after "-1"', method: 'get', path: `${prefix}/items?after=-1`, status: 400 },
    {
      what: 'limit given twice',
      method: 'get',
      path: `${prefix}/items?limit=1&limit=2`,
      status: 400,
    },
    { what: 'an unknown route', method: 'get', path: `${prefix}/nothing-here`, status: 404 },
    {
      what: 'PATCH on an item',
      method: 'patch',
      path: `${prefix}/items/1`,
      body: '{"name":"a"}',
      contentType: json,
      status: 405,
    },
    { what: 'DELETE on the collection', method: 'delete', path: `${prefix}/items`, status: 405 },
    {
      what: 'PUT on the collection',
      method: 'put',
      path: `${prefix}/items`,
      body: '{"name":"a"}',
      contentType: json,
      status: 405,
    },
    {
      what: 'POST on an item',
      method: 'post',
      path: `${prefix}/items/1`,
      body: '{"name":"a"}',
      contentType: json,
      status: 405,
    },
  ];
}

describe.each(PREFIXES)('bad input at "%s"', (prefix) => {
  const subject = useTestApp();
  let tableBefore: { id: number; name: string }[];
  beforeEach(async () => {
    tableBefore = await readItemsTable(subject.database);
    subject.logs.length = 0;
  });
  afterEach(async () => {
    expect(await readItemsTable(subject.database)).toEqual(tableBefore);
    const loud = subject.logs.filter(
      (line) => ['error', 'fatal'].includes(line.level) || line.err?.stack,
    );
    expect(loud).toEqual([]);
  });

  it.each(cases(prefix).map((c) => [c.what, c] as const))(
    'answers %s with the right 4xx',
    async (_what, c) => {
      let req = request(subject.app)[c.method](c.path);
      if (c.contentType) req = req.set('Content-Type', c.contentType);
      const res = c.body === undefined ? await req : await req.send(c.body);
      expect(res.status).toBe(c.status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(res.text);
      expect(problem).toMatchObject({
        status: c.status,
        type: expect.stringMatching(/^urn:tristack:problem:/),
      });
      expect(problem.title).toEqual(expect.any(String));
      expect(problem.detail).toEqual(expect.any(String));
      expect(res.text).not.toMatch(/ at .*\.ts:\d+|SELECT|INSERT|UPDATE items|node_modules/);
    },
  );

  it('names the field and the rule in a validation problem', async () => {
    const res = await request(subject.app)
      .post(`${prefix}/items`)
      .send({ name: 'x'.repeat(256) });
    expect(res.body.detail).toBe('name must be at most 255 characters');
    expect(res.body.errors).toEqual([
      { field: 'name', message: 'name must be at most 255 characters' },
    ]);
  });

  it('sends an Allow header with a 405', async () => {
    const res = await request(subject.app).patch(`${prefix}/items/1`);
    expect(res.headers.allow).toBe('GET, HEAD, PUT, DELETE');
  });
});
