// Logs are one JSON object per line, carry the request id, and never hold a password, token or
// cookie; the database password never shows in logs, answers, /status or /metrics.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { type ApiProcess, logsFlushed, startApiProcess } from './support/api-process.ts';
import { testEnv } from './support/app.ts';
import { useScratchDatabase } from './support/database.ts';

const DB_PASSWORD = 'canary-db-P4ss-7f3a';
const BODY_PASSWORD = 'canary-body-hunter2';
const TOKEN = 'canary-bearer-token-123';
const COOKIE = 'canary-cookie-456';
const CANARIES = [DB_PASSWORD, BODY_PASSWORD, TOKEN, COOKIE];

describe('secrets and structured logs', () => {
  const database = useScratchDatabase();
  const user = `canary_${process.pid}`;
  const answers: string[] = [];
  let api: ApiProcess;

  beforeAll(async () => {
    const admin = await mysql.createConnection(databaseServerFromEnv());
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${DB_PASSWORD}'`);
    await admin.query(`GRANT ALL ON \`${database.name}\`.* TO '${user}'@'%'`);
    await admin.end();
    const secretFile = join(mkdtempSync(join(tmpdir(), 'tristack-secret-')), 'password');
    writeFileSync(secretFile, `${DB_PASSWORD}\n`);
    api = await startApiProcess(
      testEnv(database.name, {
        MYSQL_USER: user,
        MYSQL_PASSWORD: '',
        MYSQL_PASSWORD_FILE: secretFile,
        LOG_LEVEL: 'trace',
      }),
    );
    const send = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${api.baseUrl}${path}`, init);
      const headers: string[] = [];
      res.headers.forEach((value, name) => {
        headers.push(`${name}: ${value}`);
      });
      answers.push(...headers, await res.text());
      return res;
    };
    await send('/items', {
      headers: {
        'X-Request-Id': 'trace-me-42',
        Authorization: `Bearer ${TOKEN}`,
        Cookie: `session=${COOKIE}`,
      },
    });
    await send('/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${TOKEN}` },
      body: JSON.stringify({ name: 'x', password: BODY_PASSWORD }),
    });
    await send('/items', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `{"password":"${BODY_PASSWORD}"`,
    });
    await send('/status');
    await send('/metrics');
    await logsFlushed();
  });
  afterAll(async () => {
    api?.child.kill('SIGKILL');
    const admin = await mysql.createConnection(databaseServerFromEnv());
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await admin.end();
  });

  it('reached the database with the password from MYSQL_PASSWORD_FILE', () => {
    expect(answers).toContain('{"status":"OK"}');
  });

  it('writes every log line as one JSON object', () => {
    expect(api.stdout.length).toBeGreaterThan(5);
    for (const line of api.stdout) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('logs the request with the incoming X-Request-Id, its route, status and duration', () => {
    const line = api.stdout
      .map((text) => JSON.parse(text))
      .find((entry) => entry.reqId === 'trace-me-42');
    expect(line).toMatchObject({
      level: 'info',
      route: '/items',
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
  });

  it('logs probes and scrapes at debug, user requests at info', () => {
    const lines = api.stdout.map((text) => JSON.parse(text)).filter((entry) => entry.route);
    expect(lines.find((entry) => entry.route === '/status')?.level).toBe('debug');
    expect(lines.find((entry) => entry.route === '/metrics')?.level).toBe('debug');
    expect(lines.find((entry) => entry.route === '/items')?.level).toBe('info');
  });

  it('logs a start-up summary without the password', () => {
    const started = api.stdout
      .map((text) => JSON.parse(text))
      .find((entry) => entry.event === 'api.started');
    expect(started).toMatchObject({ mysql: { user, database: database.name } });
  });

  it('never writes a password, token or cookie to the logs', () => {
    const logs = api.stdout.join('\n') + api.stderr.join('\n');
    for (const canary of CANARIES) expect(logs).not.toContain(canary);
  });

  it('never sends the database password in an answer, /status or /metrics', () => {
    expect(answers.join('\n')).not.toContain(DB_PASSWORD);
  });

  it('keeps the password out of the logs when the database refuses it', async () => {
    const refused = await startApiProcess(
      testEnv(database.name, {
        MYSQL_USER: user,
        MYSQL_PASSWORD: `${DB_PASSWORD}-wrong`,
        LOG_LEVEL: 'trace',
      }),
    );
    try {
      const status = await fetch(`${refused.baseUrl}/status`);
      const items = await fetch(`${refused.baseUrl}/items`);
      expect(status.status).toBe(503);
      const body = await items.text();
      expect(body).not.toContain(DB_PASSWORD);
      expect(body).not.toMatch(/Access denied|using password/);
      await logsFlushed();
      const logs = refused.stdout.join('\n');
      expect(logs).toContain('ER_ACCESS_DENIED_ERROR');
      expect(logs).not.toContain(DB_PASSWORD);
    } finally {
      refused.child.kill('SIGKILL');
    }
  });
});
