// A database Secret rotated while the data volume kept the old password (the mysql image reads
// its MYSQL_* on the first boot only): the API's login is refused, /status says 503 and the log
// says why, once per change (access denied, which user, which server), not once per probe.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { buildTestApp, type TestApp } from './support/app.ts';
import { queryDatabase, useScratchDatabase } from './support/database.ts';

const PROBES = 5;
const USER = `tristack_rot_${randomBytes(3).toString('hex')}`;
const OLD_PASSWORD = 'kept-on-the-volume';
const NEW_PASSWORD = 'from-the-rotated-secret';

async function asRoot(sql: string, params: string[] = []): Promise<void> {
  await queryDatabase('mysql', sql, params);
}

async function probe(subject: TestApp, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < times; index += 1) {
    statuses.push((await request(subject.app).get('/status')).status);
  }
  return statuses;
}

describe('an API whose password the database refuses', () => {
  const database = useScratchDatabase();
  let subject: TestApp;
  const events = (name: string) => subject.logs.filter((line) => line.event === name);

  beforeAll(async () => {
    await asRoot(`CREATE USER '${USER}'@'%' IDENTIFIED BY ?`, [OLD_PASSWORD]);
    await asRoot(`GRANT ALL ON \`${database.name}\`.* TO '${USER}'@'%'`);
    // The API was given the rotated Secret; the server still holds the old password.
    subject = buildTestApp(database.name, { MYSQL_USER: USER, MYSQL_PASSWORD: NEW_PASSWORD });
  });
  afterAll(async () => {
    await subject?.close();
    await asRoot(`DROP USER IF EXISTS '${USER}'@'%'`);
  });

  it('answers /status 503 and logs access denied once, naming the user and the server', async () => {
    expect(await probe(subject, PROBES)).toEqual(Array(PROBES).fill(503));
    const denied = events('database.access-denied');
    expect(denied).toHaveLength(1);
    const { host, port } = databaseServerFromEnv();
    expect(denied[0]).toMatchObject({
      level: 'error',
      user: USER,
      host,
      port,
      reason: expect.stringMatching(
        new RegExp(`^ER_ACCESS_DENIED_ERROR: Access denied for user '${USER}'@`),
      ),
      msg: expect.stringContaining(
        `database at ${host}:${port} refused user '${USER}' (access denied)`,
      ),
    });
  });

  it('serves again once the password is changed on the server to the Secret, and says so once', async () => {
    await asRoot(`ALTER USER '${USER}'@'%' IDENTIFIED BY ?`, [NEW_PASSWORD]);
    expect(await probe(subject, PROBES)).toEqual(Array(PROBES).fill(200));
    expect(events('database.recovered')).toHaveLength(1);
    expect(events('database.access-denied')).toHaveLength(1);
  });

  it('logs access denied again, once, when the password changes under it a second time', async () => {
    await asRoot(`ALTER USER '${USER}'@'%' IDENTIFIED BY ?`, ['rotated-again']);
    // The pool's open sessions outlive a password change; a restarted server would drop them.
    const sessions = await queryDatabase<{ id: number }>(
      'mysql',
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?',
      [USER],
    );
    for (const { id } of sessions) await asRoot(`KILL ${Number(id)}`);
    expect(await probe(subject, PROBES)).toEqual(Array(PROBES).fill(503));
    expect(events('database.access-denied')).toHaveLength(2);
  });
});
