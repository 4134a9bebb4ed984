import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../scripts/lib/ports.ts';
import { buildTestApp, PREFIXES, type TestApp, useTestApp } from './support/app.ts';

describe.each(PREFIXES)('health routes at "%s"', (prefix) => {
  const subject = useTestApp();

  it('answers /status 200 {"status":"OK"} when the database answers', async () => {
    const res = await request(subject.app).get(`${prefix}/status`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'OK' });
  });

  it('answers /status 503 ERREUR once shutdown has begun', async () => {
    subject.lifecycle.draining = true;
    try {
      const res = await request(subject.app).get(`${prefix}/status`);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'ERREUR' });
    } finally {
      subject.lifecycle.draining = false;
    }
  });

  it('answers /healthz 200 without asking the database', async () => {
    const res = await request(subject.app).get(`${prefix}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'OK' });
  });

  it('serves Prometheus text at /metrics', async () => {
    await request(subject.app).get(`${prefix}/items/2`);
    const res = await request(subject.app).get(`${prefix}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^# HELP /m);
    expect(res.text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/items/:id",status_code="200"}',
    );
    expect(res.text).toContain('process_resident_memory_bytes');
    expect(res.text).not.toContain('/items/2"');
  });
});

describe('when the database is down', () => {
  const TIMEOUT_MS = 500;
  let subject: TestApp;
  beforeAll(async () => {
    subject = buildTestApp('tristack', {
      MYSQL_PORT: String(await closedPort()),
      MYSQL_TIMEOUT_MS: String(TIMEOUT_MS),
    });
  });
  afterAll(() => subject.close());

  it.each(PREFIXES)('answers %s/status 503 ERREUR within the timeout', async (prefix) => {
    const started = performance.now();
    const res = await request(subject.app).get(`${prefix}/status`);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'ERREUR' });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 250);
  });

  it.each([
    ['GET', '/items'],
    ['GET', '/api/items/1'],
    ['POST', '/items'],
    ['PUT', '/api/items/1'],
    ['DELETE', '/items/1'],
  ])('answers %s %s 503 problem+json with Retry-After within the timeout', async (method, path) => {
    const started = performance.now();
    const res = await request(subject.app)[method.toLowerCase() as 'get'](path).send({ name: 'x' });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 250);
  });

  it('still answers /healthz 200: the process is alive', async () => {
    expect((await request(subject.app).get('/healthz')).status).toBe(200);
  });

  it('logs the loss of the database once, without a stack at error level', () => {
    const lost = subject.logs.filter((line) => line.event === 'database.lost');
    expect(lost).toHaveLength(1);
    expect(subject.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual(
      [],
    );
  });
});
