// `npm start`, exactly as the README gives it: a fresh database is created and seeded, the API
// and the page come up, /api reaches the API through the page's server, and Ctrl-C stops it all.
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { freePort } from '../../scripts/lib/ports.ts';
import { RunningProcess } from '../../scripts/lib/processes.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;

describe('npm start', () => {
  const database = `tristack_start_${process.pid}`;
  let npmStart: RunningProcess | undefined;
  afterAll(async () => {
    await npmStart?.stop('SIGKILL');
    const connection = await mysql.createConnection(databaseServerFromEnv());
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  });

  it('creates the database, serves the page and the API, and stops cleanly on SIGINT', {
    timeout: 2 * START_TIMEOUT_MS,
  }, async () => {
    const [apiPort, frontPort] = [await freePort(), await freePort()];
    const server = databaseServerFromEnv();
    // In a process group of its own, so the test can press Ctrl-C the way a terminal does.
    npmStart = RunningProcess.start('npm', ['start', '--silent'], {
      name: 'npm start',
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
    });
    const started = npmStart;
    const output = () => [...started.stdoutLines, ...started.stderrLines].join('\n');

    await started.waitForHttp(`http://127.0.0.1:${apiPort}/status`, START_TIMEOUT_MS);
    expect(output()).toContain(`created database ${database}`);
    expect(output()).toContain('applied db/init.sql');

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

    started.signal('SIGINT');
    await started.exited;
    // npm itself dies of the SIGINT; what matters is that the app drained and nothing is left.
    expect(output()).toContain('"event":"api.stopped","drained":true');
    const groupGone = async () => {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        try {
          process.kill(-(started.pid as number), 0);
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
