import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PREFIXES, useTestApp } from './support/app.ts';
import { readItemsTable } from './support/database.ts';

describe.each(PREFIXES)('writing items at "%s"', (prefix) => {
  const subject = useTestApp();

  it('creates an item: 201, the item, and a Location that serves it', async () => {
    const res = await request(subject.app).post(`${prefix}/items`).send({ name: 'Test D' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 4, name: 'Test D' });
    expect(res.headers.location).toBe(`${prefix}/items/4`);
    expect(res.body.updated_at).toBeNull();
    const again = await request(subject.app).get(res.headers.location as string);
    expect(again.body).toEqual(res.body);
  });

  it('trims the name it stores', async () => {
    const res = await request(subject.app).post(`${prefix}/items`).send({ name: '  padded  ' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('padded');
  });

  it('renames an item: 200 and the new name, stored', async () => {
    const res = await request(subject.app).put(`${prefix}/items/1`).send({ name: 'Renamed A' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 1, name: 'Renamed A' });
    expect((await readItemsTable(subject.database))[0]).toEqual({ id: 1, name: 'Renamed A' });
  });

  it('sets updated_at on a rename, returns it, and leaves created_at as it was', async () => {
    const before = await request(subject.app).get(`${prefix}/items/3`);
    const renamedFrom = Date.now();
    const res = await request(subject.app).put(`${prefix}/items/3`).send({ name: 'Renamed C' });
    expect(res.status).toBe(200);
    expect(res.body.created_at).toBe(before.body.created_at);
    expect(res.body.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // The database's clock, in UTC: within a few seconds of this one, never before created_at.
    expect(Math.abs(Date.parse(res.body.updated_at) - renamedFrom)).toBeLessThan(5_000);
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(res.body.created_at));
    expect((await request(subject.app).get(`${prefix}/items/3`)).body).toEqual(res.body);
  });

  it('answers 200 when renaming an item to the name it already has', async () => {
    await request(subject.app).put(`${prefix}/items/2`).send({ name: 'Same' });
    const res = await request(subject.app).put(`${prefix}/items/2`).send({ name: 'Same' });
    expect(res.status).toBe(200);
  });

  it('answers PUT 404 for an unknown id and stores nothing', async () => {
    const before = await readItemsTable(subject.database);
    const res = await request(subject.app).put(`${prefix}/items/999999`).send({ name: 'ghost' });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await readItemsTable(subject.database)).toEqual(before);
  });

  it('deletes an item: 204 with no body, then 404 for it', async () => {
    const created = await request(subject.app).post(`${prefix}/items`).send({ name: 'to delete' });
    const res = await request(subject.app).delete(`${prefix}/items/${created.body.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await request(subject.app).get(`${prefix}/items/${created.body.id}`)).status).toBe(404);
    expect((await request(subject.app).delete(`${prefix}/items/${created.body.id}`)).status).toBe(
      404,
    );
  });
});

describe('names are stored and returned verbatim', () => {
  const subject = useTestApp();

  it.each([
    ["Robert'); DROP TABLE items;--"],
    ['1 OR 1=1'],
    ['" OR ""="'],
    ['<script>alert(1)</script>'],
    ['<img src=x onerror=alert(1)>'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-looking name is the point
    ['\\N \\0 %s %d ${name} {{name}}'],
    ['Zoë ✓ 日本語 🚀👩‍👩‍👧'],
    ['🚀'.repeat(255)],
    ['a'.repeat(255)],
  ])('keeps %j exactly', async (name) => {
    const created = await request(subject.app).post('/items').send({ name });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe(name);
    const read = await request(subject.app).get(`/items/${created.body.id}`);
    expect(read.body.name).toBe(name);
    const stored = (await readItemsTable(subject.database)).find(
      (row) => row.id === created.body.id,
    );
    expect(stored?.name).toBe(name);
  });

  it('still has its items table after the SQL-looking names', async () => {
    expect((await request(subject.app).get('/items/1')).body.name).toBe('Test A');
  });
});
