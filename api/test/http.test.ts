import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/app.ts';

const ALLOWED_ORIGIN = 'http://localhost:8080';

describe('HTTP behaviour shared by every route', () => {
  const subject = useTestApp({
    CORS_ORIGINS: `${ALLOWED_ORIGIN},https://app.example.com`,
  });

  it('returns the incoming X-Request-Id and logs the request with it', async () => {
    const res = await request(subject.app).get('/items').set('X-Request-Id', 'trace-abc-123');
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    const line = subject.logs.find((entry) => entry.reqId === 'trace-abc-123');
    expect(line).toMatchObject({ level: 'info', route: '/items', res: { statusCode: 200 } });
  });

  it('makes up a request id when there is none or it is unsafe to log', async () => {
    for (const incoming of [undefined, 'bad id with spaces', 'x'.repeat(200)]) {
      const req = request(subject.app).get('/healthz');
      const res = incoming ? await req.set('X-Request-Id', incoming) : await req;
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await request(subject.app).get('/api/items');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows CORS only for the configured origins', async () => {
    const allowed = await request(subject.app).get('/items').set('Origin', ALLOWED_ORIGIN);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers['access-control-expose-headers']).toContain('Link');
    const other = await request(subject.app).get('/items').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a CORS preflight from an allowed origin with 204 and the allowed methods', async () => {
    const res = await request(subject.app)
      .options('/api/items/1')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-methods']).toContain('PUT');
    expect(res.headers['access-control-allow-headers']).toContain('Content-Type');
  });

  it('takes /api off only as a whole path segment', async () => {
    expect((await request(subject.app).get('/apiitems')).status).toBe(404);
    expect((await request(subject.app).get('/apistatus')).status).toBe(404);
    const bare = await request(subject.app).get('/api');
    expect(bare.status).toBe(404);
    expect(bare.body.detail).toBe('no route for GET /api');
    expect((await request(subject.app).get('/api?x=1')).status).toBe(404);
    expect((await request(subject.app).get('/api/api/items')).status).toBe(404);
  });

  it('answers HEAD on a GET route with the headers and no body', async () => {
    const res = await request(subject.app).head('/items/1');
    expect(res.status).toBe(200);
    expect(res.text).toBeUndefined();
  });
});

describe('rate limiting', () => {
  const subject = useTestApp({ RATE_LIMIT_PER_MINUTE: '5' });

  it('answers 429 problem+json with Retry-After past the limit, counting /X and /api/X together', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      const res = await request(subject.app).get(index % 2 ? '/items/1' : '/api/items/1');
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('never throttles the probes', async () => {
    for (let index = 0; index < 10; index += 1) {
      expect((await request(subject.app).get('/status')).status).toBe(200);
      expect((await request(subject.app).get('/healthz')).status).toBe(200);
    }
  });
});
