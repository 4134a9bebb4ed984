// The db service's healthcheck, run for real against the test database server (MariaDB's
// mysqladmin takes the same arguments as MySQL 8.4's): healthy when the server answers over TCP,
// unhealthy when nothing listens. MYSQL_TCP_PORT moves the port, as the command names none.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { databaseServerFromEnv } from '../scripts/lib/database-server.ts';
import { freePort } from '../scripts/lib/ports.ts';
import { resolveCompose } from './support/docker-compose.ts';
import { readRepoFile } from './support/repo.ts';

const run = promisify(execFile);
const HEALTHCHECK_TIMEOUT_MS = 10_000;
const DATABASE_PORT = databaseServerFromEnv().port;

let command: string[] = [];

beforeAll(async () => {
  const resolved = await resolveCompose(
    parse(readRepoFile('docker-compose.yml')),
    readRepoFile('.env'),
  );
  if (!resolved.ok) throw new Error(resolved.problems.join('\n'));
  const test = resolved.config.services.db?.healthcheck?.test;
  if (!Array.isArray(test) || test[0] !== 'CMD')
    throw new Error('the db healthcheck must be exec form (CMD)');
  command = test.slice(1);
});

async function exitCode(port: number, extraEnv: Record<string, string> = {}): Promise<number> {
  const [program = '', ...args] = command;
  try {
    await run(program, args, {
      env: { PATH: process.env.PATH, MYSQL_TCP_PORT: String(port), ...extraEnv },
      timeout: HEALTHCHECK_TIMEOUT_MS,
    });
    return 0;
  } catch (error) {
    return Number((error as { code?: number }).code ?? 1);
  }
}

describe('the db healthcheck', () => {
  it('passes when the server answers on 127.0.0.1 over TCP', async () => {
    expect(await exitCode(DATABASE_PORT)).toBe(0);
  });

  it('needs no credentials: a server that refuses the login is still up', async () => {
    // MYSQL_PWD is read by the client; a wrong one makes the server answer "access denied".
    expect(await exitCode(DATABASE_PORT, { MYSQL_PWD: 'not-the-password' })).toBe(0);
  });

  it('fails when nothing listens on the TCP port', async () => {
    expect(await exitCode(await freePort())).not.toBe(0);
  });
});
