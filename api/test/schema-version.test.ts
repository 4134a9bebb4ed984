// The API against a schema older than it needs: it says so once in its log and answers 503
// (readiness and item routes) instead of failing query after query; once migrated, it serves.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../db/migrate.ts';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { REQUIRED_SCHEMA_VERSION } from '../src/schema-version.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { useScratchDatabase } from './support/database.ts';

const PROBES = 4;

describe('an API started on a database made by init.sql alone (schema version 0)', () => {
  const database = useScratchDatabase('init-sql');
  let subject: TestApp;
  beforeAll(() => {
    subject = buildTestApp(database.name);
  });
  afterAll(() => subject.close());

  const tooOld = () => subject.logs.filter((line) => line.event === 'database.schema-too-old');

  it('answers /status 503 ERREUR on every probe', async () => {
    for (let probe = 0; probe < PROBES; probe += 1) {
      const res = await request(subject.app).get('/status');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'ERREUR' });
    }
  });

  it('logs one line saying which version it found and which it needs, however many probes', () => {
    expect(tooOld()).toHaveLength(1);
    expect(tooOld()[0]).toMatchObject({
      level: 'error',
      found: 0,
      required: REQUIRED_SCHEMA_VERSION,
      msg: expect.stringMatching(/schema is at version 0, this API needs 2: .*npm run db:migrate/),
    });
  });

  it('answers the item routes 503 schema-too-old (problem+json, Retry-After), never a 500', async () => {
    for (const [method, path] of [
      ['get', '/items'],
      ['get', '/api/items/1'],
      ['put', '/items/1'],
    ] as const) {
      const res = await request(subject.app)[method](path).send({ name: 'x' });
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ type: 'urn:tristack:problem:schema-too-old', status: 503 });
    }
    expect(subject.logs.filter((line) => line.level === 'error')).toHaveLength(1);
  });

  it('serves once the migrations have run, without a restart, and says so once', async () => {
    await migrate(databaseServerFromEnv(), database.name);
    const status = await request(subject.app).get('/status');
    expect(status.status).toBe(200);
    const items = await request(subject.app).get('/items');
    expect(items.status).toBe(200);
    expect(items.body[0]).toMatchObject({ id: 1, name: 'Test A', updated_at: null });
    expect(subject.logs.filter((line) => line.event === 'database.schema-current')).toEqual([
      expect.objectContaining({ found: 2, required: REQUIRED_SCHEMA_VERSION }),
    ]);
  });
});

describe('an API started on a database at the baseline only (version 1)', () => {
  const database = useScratchDatabase('empty');
  let subject: TestApp;
  let none: string;
  beforeAll(async () => {
    // An empty migrations folder: the baseline and nothing after it.
    none = await mkdtemp(join(tmpdir(), 'tristack-no-migrations-'));
    await migrate(databaseServerFromEnv(), database.name, { migrationsDir: none });
    subject = buildTestApp(database.name);
  });
  afterAll(async () => {
    await subject.close();
    await rm(none, { recursive: true, force: true });
  });

  it('answers /status 503 and logs version 1 found, 2 needed', async () => {
    expect((await request(subject.app).get('/status')).status).toBe(503);
    expect(subject.logs.filter((line) => line.event === 'database.schema-too-old')).toEqual([
      expect.objectContaining({ found: 1, required: 2 }),
    ]);
  });
});
