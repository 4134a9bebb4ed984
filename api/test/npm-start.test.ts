// `npm start`, exactly as the README gives it: a fresh database is created and seeded, the API
// and the page come up, /api reaches the API through the page's server, and Ctrl-C stops it all.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { testServerAddress } from './support/database.ts';
import { freePort } from './support/ports.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;

describe('npm start', () => {
  const database = `tristack_start_${process.pid}`;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    try {
      if (child?.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
    const connection = await mysql.createConnection(testServerAddress());
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  });

  it('creates the database, serves the page and the API, and stops cleanly on SIGINT', {
    timeout: 2 * START_TIMEOUT_MS,
  }, async () => {
    const [apiPort, frontPort] = [await freePort(), await freePort()];
    const server = testServerAddress();
    const started = performance.now();
    child = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        API_PORT: String(apiPort),
        FRONT_PORT: String(frontPort),
        MYSQL_HOST: server.host,
        MYSQL_PORT: String(server.port),
        MYSQL_USER: server.user,
        MYSQL_PASSWORD: server.password,
        MYSQL_DATABASE: database,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the test can press Ctrl-C the way a terminal does.
      detached: true,
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child?.once('exit', resolve));

    let ready = false;
    while (!ready && performance.now() - started < START_TIMEOUT_MS) {
      ready = await fetch(`http://127.0.0.1:${apiPort}/status`).then(
        (res) => res.ok,
        () => false,
      );
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready, output).toBe(true);
    expect(output).toContain(`created database ${database}`);
    expect(output).toContain('applied db/init.sql');

    const page = await fetch(`http://127.0.0.1:${frontPort}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);

    const items = await fetch(`http://127.0.0.1:${frontPort}/api/items`);
    expect(items.status).toBe(200);
    expect((await items.json()).map((item: { name: string }) => item.name)).toEqual([
      'Test A',
      'Test B',
      'Test C',
    ]);

    process.kill(-(child.pid as number), 'SIGINT');
    await exited;
    // npm itself dies of the SIGINT; what matters is that the app drained and nothing is left.
    expect(output).toContain('"event":"api.stopped","drained":true');
    const groupGone = async () => {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        try {
          process.kill(-(child?.pid as number), 0);
        } catch {
          return true;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    };
    expect(await groupGone()).toBe(true);
  });
});
