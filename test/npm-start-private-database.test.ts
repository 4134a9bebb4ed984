// `npm start` on a machine where nothing listens on the default MySQL port but a server binary is
// installed (as on CI): it runs a private server of its own, keeps its data between runs, and
// stops it on Ctrl-C. With settings of the user's own it never does. Each run happens in a network
// namespace of the test's own, so the defaults (127.0.0.1:3306, ports 8000 and 8080) are really
// the defaults, whatever this machine runs.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findServerBinary } from '../db/local-server.ts';
import { commandLine, processIds, processStat } from '../scripts/lib/proc.ts';
import { RunningProcess } from '../scripts/lib/processes.ts';
import { NetworkNamespace } from './support/network-namespace.ts';
import { REPO_ROOT } from './support/repo.ts';

const START_TIMEOUT_MS = 60_000;
const MYSQL_SETTINGS = [
  'MYSQL_HOST',
  'MYSQL_PORT',
  'MYSQL_USER',
  'MYSQL_PASSWORD',
  'MYSQL_PASSWORD_FILE',
  'MYSQL_DATABASE',
];

function withoutMysqlSettings(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of MYSQL_SETTINGS) delete env[name];
  return { ...env, ...extra };
}

/** Processes whose command line holds `text` (the private server names its data directory). */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await processIds()) {
    if ((await commandLine(pid)).includes(text)) found.push(pid);
  }
  return found;
}

/** The processes of process group `group`. */
async function processGroup(group: number): Promise<number[]> {
  const members: number[] = [];
  for (const pid of await processIds()) {
    if ((await processStat(pid))?.processGroup === group) members.push(pid);
  }
  return members;
}

describe('npm start with no database to talk to', () => {
  let namespace: NetworkNamespace;
  let directory: string;
  let running: RunningProcess | undefined;

  beforeAll(async () => {
    namespace = await NetworkNamespace.create();
    directory = await mkdtemp(join(tmpdir(), 'tristack-npm-start-'));
  });
  afterAll(async () => {
    await running?.stop('SIGKILL');
    if (directory) {
      for (const pid of await processesMentioning(directory)) process.kill(pid, 'SIGKILL');
    }
    namespace?.destroy();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  function npmStart(
    env: NodeJS.ProcessEnv,
    command: readonly string[] = ['npm', 'start', '--silent'],
  ): RunningProcess {
    // Its own process group, so the test can press Ctrl-C the way a terminal does.
    running = RunningProcess.start(...namespace.command(command), {
      name: 'npm start',
      cwd: REPO_ROOT,
      env,
      stdin: 'pipe',
    });
    return running;
  }

  const stdout = (started: RunningProcess) => started.stdoutLines.join('\n');
  const stderr = (started: RunningProcess) => started.stderrLines.join('\n');

  async function waitForPage(started: RunningProcess): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (started.hasExited) break;
      if ((await namespace.curl('http://127.0.0.1:8000/status')).status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw started.failure('did not become ready');
  }

  async function pressCtrlC(started: RunningProcess): Promise<void> {
    started.signal('SIGINT');
    await started.exited;
  }

  it('starts a private server, serves the page and the items from it, and stops it on Ctrl-C', {
    timeout: 2 * START_TIMEOUT_MS,
  }, async () => {
    expect(findServerBinary(), 'this test needs mariadbd or mysqld installed').toBeDefined();
    const started = npmStart(withoutMysqlSettings({ TRISTACK_LOCAL_DB_DIR: directory }));
    await waitForPage(started);
    expect(stderr(started)).toMatch(
      /^npm start: nothing answers on 127\.0\.0\.1:3306: started a private \S+ on 127\.0\.0\.1:\d+/m,
    );

    const page = await namespace.curl('http://127.0.0.1:8080/');
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    const items = await namespace.curl('http://127.0.0.1:8080/api/items');
    expect(items.status).toBe(200);
    expect(JSON.parse(items.body).map((item: { name: string }) => item.name)).toEqual([
      'Test A',
      'Test B',
      'Test C',
    ]);
    const added = await namespace.curl('http://127.0.0.1:8080/api/items', {
      method: 'POST',
      json: { name: 'kept between runs' },
    });
    expect(added.status, added.body).toBe(201);

    await pressCtrlC(started);
    expect(stdout(started)).toContain('"event":"api.stopped","drained":true');
    // Piped, stdout is the API's log (one JSON object per line) and npm start speaks on stderr.
    for (const line of stdout(started).trimEnd().split('\n')) {
      expect(() => JSON.parse(line), line).not.toThrow();
    }
    for (const line of stderr(started).trimEnd().split('\n')) {
      expect(line).toMatch(/^(npm start: | {2})/);
    }
    expect(await processesMentioning(directory)).toEqual([]);
    expect(existsSync(join(directory, 'data'))).toBe(true);
  });

  it('finds the items added by the previous run on the next start', {
    timeout: 2 * START_TIMEOUT_MS,
  }, async () => {
    const started = npmStart(withoutMysqlSettings({ TRISTACK_LOCAL_DB_DIR: directory }));
    await waitForPage(started);
    expect(stderr(started)).not.toContain('created database');
    const items = await namespace.curl('http://127.0.0.1:8080/api/items');
    expect(JSON.parse(items.body).map((item: { name: string }) => item.name)).toEqual([
      'Test A',
      'Test B',
      'Test C',
      'kept between runs',
    ]);
    await pressCtrlC(started);
    expect(await processesMentioning(directory)).toEqual([]);
  });

  it('shows readable log lines in a terminal, and Ctrl-C there stops it', {
    timeout: 2 * START_TIMEOUT_MS,
  }, async () => {
    // script(1) gives npm start a pseudo-terminal, as a developer's terminal does.
    const started = npmStart(withoutMysqlSettings({ TRISTACK_LOCAL_DB_DIR: directory }), [
      'script',
      '--quiet',
      '--flush',
      '--return',
      '--command',
      'npm start --silent',
      '/dev/null',
    ]);
    await waitForPage(started);
    const ansiEscape = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
    const screen = stdout(started).replace(ansiEscape, '');
    expect(screen).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: tristack API listening on 8000/m);
    expect(screen).not.toContain('{"level"');
    started.child.stdin?.write('\x03');
    await started.exited;
    expect(stdout(started).replace(ansiEscape, '')).toMatch(/INFO: stopped/);
    expect(await processesMentioning(directory)).toEqual([]);
  });

  it('stops the server a killed run left behind, then starts its own on the same data', {
    timeout: 2 * START_TIMEOUT_MS,
  }, async () => {
    const first = npmStart(withoutMysqlSettings({ TRISTACK_LOCAL_DB_DIR: directory }));
    await waitForPage(first);
    const [leftover] = await processesMentioning(directory);
    expect(leftover).toBeDefined();
    // kill -9 of npm start alone (not its group): the server it started is orphaned, still running.
    for (const pid of await processGroup(first.child.pid as number)) {
      if (pid !== leftover) process.kill(pid, 'SIGKILL');
    }
    await first.exited;
    expect(existsSync(`/proc/${leftover}`)).toBe(true);

    const second = npmStart(withoutMysqlSettings({ TRISTACK_LOCAL_DB_DIR: directory }));
    await waitForPage(second);
    expect(existsSync(`/proc/${leftover}`)).toBe(false);
    const items = await namespace.curl('http://127.0.0.1:8080/api/items');
    expect(JSON.parse(items.body)).toHaveLength(4);
    await pressCtrlC(second);
    expect(await processesMentioning(directory)).toEqual([]);
  });

  it("never starts one when the settings are the user's own, and says how to fix it", {
    timeout: 2 * START_TIMEOUT_MS,
  }, async () => {
    const ownDirectory = join(directory, 'never-used');
    const started = npmStart(
      withoutMysqlSettings({ TRISTACK_LOCAL_DB_DIR: ownDirectory, MYSQL_PORT: '3306' }),
    );
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!stderr(started).includes('page on') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stderr(started)).toContain(
      'npm start: cannot use the database at root@127.0.0.1:3306: connect ECONNREFUSED',
    );
    expect(stderr(started)).toContain(
      'no private server was started: the settings are your own (MYSQL_PORT)',
    );
    expect(stderr(started)).toContain('docker run -d --name tristack-db');
    // The API runs anyway and says the database is down, so the page can show it.
    expect((await namespace.curl('http://127.0.0.1:8000/status')).status).toBe(503);
    expect(existsSync(ownDirectory)).toBe(false);
    await pressCtrlC(started);
  });
});
