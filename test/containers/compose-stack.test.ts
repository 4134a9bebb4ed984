// `docker compose up --build` as a user types it, on the repository's own docker-compose.yml and
// Dockerfiles, run by docker-compose 1.29 on the tier's private engine. The tests run in order on
// one stack, like one person's afternoon with it; the stack goes with `down -v` whatever happens.
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../db/bootstrap.ts';
import { databaseContents, runCli } from '../../db/test/support/backup-cli.ts';
import { type Browser, ConsoleWatcher, launchBrowser } from '../../front/test/support/browser.ts';
import { RUNTIME_UIDS } from '../../k8s/src/contract.ts';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { stopGraceSeconds } from '../support/compose-rules.ts';
import { createItem, itemNames } from '../support/items-http.ts';
import { repoPath } from '../support/repo.ts';
import { ComposeProject } from './support/compose-project.ts';
import { docker, imageAvailable } from './support/engine.ts';
import { firstEvent, projectEvents } from './support/engine-events.ts';
import { processStatus, rootIsReadOnly } from './support/inside.ts';
import { canConnect, resolvesName } from './support/network-probe.ts';
import { tierLeftOut, useTier } from './support/tier.ts';
import { waitFor } from './support/wait.ts';

const PROJECT = 'tristack-ct';
/** The services a plain `docker compose up` starts, in the order they must become healthy. */
const STACK = ['db', 'api', 'front'];
/** The one-shot service that applies the migrations between db healthy and api start. */
const MIGRATE = 'migrate';
/** What a plain `docker compose up` creates: the stack and the one-shot. */
const DEFAULT_SERVICES = [...STACK, MIGRATE];
/** The history a first boot ends with: postgrator's 0, the baseline (init.sql), 002. */
const FIRST_BOOT_HISTORY = ['0\tNULL', '1\tbaseline', '2\titems-updated-at'];
/** db's first boot, then api and front each after one healthcheck interval of the one before. */
const ALL_HEALTHY_WITHIN_MS = 120_000;
const HEALTH_POLL_MS = 500;
const SEEDED_NAMES = ['Test A', 'Test B', 'Test C'];
const UI_TIMEOUT_MS = 10_000;
/** httpd's connectiontimeout (2 s) plus a margin: a stopped API is reported at once, not after 15 s. */
const API_DOWN_ANSWER_WITHIN_MS = 3_000;
const MONITORING_PROFILE = 'monitoring';
const BACKUP_PROFILE = 'backup';
const BACKUP_TIMEOUT_MS = 120_000;
/** The compose file's default owner of ./backups (BACKUP_UID:BACKUP_GID). */
const BACKUP_OWNER = 1000;
const MONITORING_UP_TIMEOUT_MS = 180_000;

const tier = useTier();
let project: ComposeProject;

async function healthOf(service: string): Promise<string | undefined> {
  return (await project.state(service)).health;
}

async function waitHealthy(services: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const service of services) {
    await waitFor(
      `${service} healthy`,
      () => healthOf(service),
      (health) => health === 'healthy',
      Math.max(deadline - Date.now(), 0),
      HEALTH_POLL_MS,
    );
  }
}

/** The migrations' history table, read inside the db container as the app user. */
async function historyRows(): Promise<string[]> {
  const environment = (await project.config()).services.db?.environment ?? {};
  const { stdout } = await docker([
    'exec',
    '--env',
    `MYSQL_PWD=${environment.MYSQL_PASSWORD}`,
    await project.containerId('db'),
    'mysql',
    '-h',
    '127.0.0.1',
    '-u',
    String(environment.MYSQL_USER),
    '--batch',
    '--skip-column-names',
    '-e',
    `SELECT version, name FROM ${environment.MYSQL_DATABASE}.schema_history ORDER BY version`,
  ]);
  return stdout.trim().split('\n');
}

describe.skipIf(tierLeftOut())('docker compose up --build, on the real docker-compose.yml', () => {
  let upStartedMs = 0;
  let upDurationMs = 0;

  beforeAll(async () => {
    project = await ComposeProject.create(PROJECT, tier.current().baseImages);
    // Whatever an interrupted earlier run left behind under the tier's project name.
    await project.down();
    upStartedMs = Date.now();
    await project.up(['--build']);
    await waitHealthy(STACK, ALL_HEALTHY_WITHIN_MS);
    upDurationMs = Date.now() - upStartedMs;
  });

  afterAll(async () => {
    await project?.down();
  });

  it('starts db, then api, then front, each once the one before is healthy, all healthy within 120 s', async () => {
    const events = await projectEvents(PROJECT, upStartedMs / 1000 - 1, Date.now() / 1000 + 1);
    const started = (service: string) => firstEvent(events, service, 'start')?.timeMs;
    const healthy = (service: string) =>
      firstEvent(events, service, 'health_status: healthy')?.timeMs;
    console.info(
      `compose up --build: all healthy after ${upDurationMs} ms; ` +
        STACK.map(
          (service) =>
            `${service} started +${Math.round((started(service) ?? Number.NaN) - upStartedMs)} ms, ` +
            `healthy +${Math.round((healthy(service) ?? Number.NaN) - upStartedMs)} ms`,
        ).join('; '),
    );
    for (const service of STACK) {
      expect(started(service), `${service} start event`).toBeDefined();
      expect(healthy(service), `${service} healthy event`).toBeDefined();
    }
    expect(started('api')).toBeGreaterThan(healthy('db') ?? Number.POSITIVE_INFINITY);
    expect(started('front')).toBeGreaterThan(healthy('api') ?? Number.POSITIVE_INFINITY);
    expect(upDurationMs).toBeLessThan(ALL_HEALTHY_WITHIN_MS);
  });

  it('runs migrate once db is healthy, to exit 0, before the api starts; the history holds the baseline and 002', async () => {
    const events = await projectEvents(PROJECT, upStartedMs / 1000 - 1, Date.now() / 1000 + 1);
    const at = (service: string, action: string) =>
      firstEvent(events, service, action)?.timeMs ?? Number.NaN;
    const since = (timeMs: number) => `+${Math.round(timeMs - upStartedMs)} ms`;
    console.info(
      `compose up --build: db healthy ${since(at('db', 'health_status: healthy'))}, ` +
        `migrate started ${since(at(MIGRATE, 'start'))}, exited ${since(at(MIGRATE, 'die'))} ` +
        `(ran ${Math.round(at(MIGRATE, 'die') - at(MIGRATE, 'start'))} ms), api started ${since(at('api', 'start'))}`,
    );
    expect(at(MIGRATE, 'start')).toBeGreaterThan(at('db', 'health_status: healthy'));
    expect(at(MIGRATE, 'die')).toBeGreaterThan(at(MIGRATE, 'start'));
    expect(at('api', 'start')).toBeGreaterThan(at(MIGRATE, 'die'));
    const state = await project.state(MIGRATE);
    expect(state.exitCode).toBe(0);
    expect(state.restartCount).toBe(0);

    const { stdout, stderr } = await project.logs(MIGRATE);
    expect(stderr).toBe('');
    // The entrypoint ran init.sql on the first boot, so the baseline is recorded, not run again.
    expect(stdout).toMatch(/recorded as the baseline \(version 1\), rows untouched/);
    expect(stdout).toContain('applied db/migrations/002.do.items-updated-at.sql');
    expect(await historyRows()).toEqual(FIRST_BOOT_HISTORY);

    const items = (await (await fetch(`${project.frontUrl}/api/items`)).json()) as {
      updated_at: unknown;
    }[];
    expect(items.map((item) => item.updated_at)).toEqual([null, null, null]);
  });

  it('ran migrate from the api image as its non-root user, read-only, with no capabilities', async () => {
    expect(await project.imageUser(MIGRATE)).toBe('node');
    const { stdout } = await docker([
      'inspect',
      '--format',
      '{{json .HostConfig}}',
      await project.containerId(MIGRATE),
    ]);
    const host = JSON.parse(stdout) as {
      ReadonlyRootfs: boolean;
      CapDrop: string[] | null;
      SecurityOpt: string[] | null;
    };
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.CapDrop).toContain('ALL');
    expect(host.SecurityOpt?.some((option) => option.startsWith('no-new-privileges'))).toBe(true);
  });

  it('serves the page at / and Test A, Test B, Test C at /api/items, through the front', async () => {
    const page = await fetch(`${project.frontUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('src="script.js"');
    expect(await itemNames(project.frontUrl)).toEqual(SEEDED_NAMES);
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let page: Page;
    const consoleWatcher = new ConsoleWatcher();
    const shownNames = () => page.locator('#items .item-name').allTextContents();
    /** Types `text` into `input`, presses Enter, and waits for the list to show `expected`. */
    async function submit(input: Locator, text: string, expected: string[]): Promise<void> {
      await input.fill(text);
      await input.press('Enter');
      await expect.poll(shownNames, { timeout: UI_TIMEOUT_MS }).toEqual(expected);
    }

    beforeAll(async () => {
      browser = await launchBrowser();
      page = browser.context.pages()[0] ?? (await browser.context.newPage());
      consoleWatcher.watch(page);
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('shows the items, and adding, renaming and deleting an item work and persist', async () => {
      await page.goto(project.frontUrl);
      await expect.poll(shownNames, { timeout: UI_TIMEOUT_MS }).toEqual(SEEDED_NAMES);

      await submit(page.getByLabel('Name', { exact: true }), 'Added in a container', [
        ...SEEDED_NAMES,
        'Added in a container',
      ]);

      await page.getByRole('button', { name: 'Rename Added in a container' }).click();
      await submit(
        page.getByRole('textbox', { name: 'New name for Added in a container' }),
        'Renamed in a container',
        [...SEEDED_NAMES, 'Renamed in a container'],
      );

      await page.getByRole('button', { name: 'Delete Renamed in a container' }).click();
      await expect.poll(shownNames, { timeout: UI_TIMEOUT_MS }).toEqual(SEEDED_NAMES);

      await page.reload();
      await expect.poll(shownNames, { timeout: UI_TIMEOUT_MS }).toEqual(SEEDED_NAMES);
      expect(await itemNames(project.frontUrl)).toEqual(SEEDED_NAMES);
      expect(consoleWatcher.takeUnexpected()).toEqual([]);
    });

    it('answers /api/ with a 5xx at once while the api is stopped, and the page says so', async () => {
      await project.compose(['stop', 'api']);
      try {
        const asked = performance.now();
        const response = await fetch(`${project.frontUrl}/api/items`);
        const answeredMs = performance.now() - asked;
        console.info(
          `api stopped: the front answered ${response.status} in ${Math.round(answeredMs)} ms`,
        );
        expect(response.status).toBeGreaterThanOrEqual(500);
        expect(answeredMs).toBeLessThan(API_DOWN_ANSWER_WITHIN_MS);

        consoleWatcher.tolerate(
          (problem) =>
            problem.kind === 'console error' &&
            /^Failed to load resource: the server responded with a status of 50[234]/.test(
              problem.text,
            ),
        );
        await page.reload();
        await expect
          .poll(() => page.locator('#list-message').textContent(), { timeout: UI_TIMEOUT_MS })
          .toMatch(/^Cannot load the items: the API is unavailable \(HTTP 50[234]\)\./);
        await expect
          .poll(() => page.locator('#status-badge').textContent(), { timeout: UI_TIMEOUT_MS })
          .toBe('ERREUR');
      } finally {
        await project.compose(['start', 'api']);
        await waitHealthy(['api'], ALL_HEALTHY_WITHIN_MS);
        consoleWatcher.stopTolerating();
      }
      expect(consoleWatcher.tolerated.length).toBeGreaterThan(0);
      await expect.poll(shownNames, { timeout: 30_000 }).toEqual(SEEDED_NAMES);
    });
  });

  it('dumps the stack with the backup profile into ./backups: one file, readable by its owner only, that db:restore checks and restores to what the API serves', async () => {
    const folder = repoPath('backups');
    const madeHere = !existsSync(folder);
    if (madeHere) {
      await mkdir(folder);
      if (process.getuid?.() === 0) await chown(folder, BACKUP_OWNER, BACKUP_OWNER);
    }
    const owner = await stat(folder);
    const before = new Set(await readdir(folder));
    const served = (await (await fetch(`${project.frontUrl}/api/items?limit=1000`)).json()) as {
      id: number;
      name: string;
    }[];
    project.env.BACKUP_UID = String(owner.uid);
    project.env.BACKUP_GID = String(owner.gid);
    await project.compose(
      ['--profile', BACKUP_PROFILE, 'run', '--rm', 'backup'],
      BACKUP_TIMEOUT_MS,
    );
    const created = (await readdir(folder)).filter((name) => !before.has(name));
    let restored: ScratchDatabase | undefined;
    try {
      expect(created).toHaveLength(1);
      const file = join(folder, created[0] as string);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      // Restored outside the stack, into a database of the test's own on the suite's server.
      restored = await createScratchDatabase(
        databaseServerFromEnv(),
        'tristack_ct_restore',
        'empty',
      );
      const run = await runCli('restore', [file], restored.name);
      expect(run.code, run.output).toBe(0);
      const contents = await databaseContents(restored.name);
      expect(
        (contents.items as { id: number; name: string }[]).map(({ id, name }) => ({ id, name })),
      ).toEqual(served.map(({ id, name }) => ({ id, name })));
      expect(contents.schema_history).toHaveLength(FIRST_BOOT_HISTORY.length);
    } finally {
      await restored?.drop();
      for (const name of created) await rm(join(folder, name), { force: true });
      if (madeHere) await rm(folder, { recursive: true, force: true });
    }
  });

  it('keeps the database off the front: neither its name nor its address answers from the front', async () => {
    const front = await project.containerId('front');
    const api = await project.containerId('api');
    const dbAddresses = (
      await docker([
        'inspect',
        '--format',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
        await project.containerId('db'),
      ])
    ).stdout
      .trim()
      .split(' ');
    expect(dbAddresses.length).toBeGreaterThan(0);
    const probeImage = `tristack-api:${tier.current().imageTag}`;

    // The probe works: from the API's network namespace the database answers by name and address.
    expect(await resolvesName(probeImage, api, 'db')).toBe(true);
    for (const address of dbAddresses)
      expect(await canConnect(probeImage, api, address, 3306)).toBe(true);

    expect(await resolvesName(probeImage, front, 'db')).toBe(false);
    for (const address of dbAddresses)
      expect(await canConnect(probeImage, front, address, 3306)).toBe(false);
  });

  it('publishes no database port, and the api and front on 127.0.0.1 only', async () => {
    const published = async (service: string) =>
      (await docker(['port', await project.containerId(service)])).stdout
        .trim()
        .split('\n')
        .filter(Boolean);
    expect(await published('db')).toEqual([]);
    expect(await published('api')).toEqual([`8000/tcp -> 127.0.0.1:${project.env.API_PORT}`]);
    expect(await published('front')).toEqual([`8080/tcp -> 127.0.0.1:${project.env.FRONT_PORT}`]);
  });

  it.each([
    ['api', RUNTIME_UIDS.api],
    ['front', RUNTIME_UIDS.front],
  ] as const)(
    'runs %s as its image user (uid %i), read-only, with no capabilities and no new privileges',
    async (service, uid) => {
      expect(await project.imageUser(service), 'the image declares a USER').not.toMatch(
        /^(|root|0|0:0)$/,
      );
      const container = await project.containerId(service);
      const status = await processStatus(container);
      expect(status.uids).toEqual([uid, uid, uid, uid]);
      expect(status.capEff).toBe(0n);
      expect(status.capPrm).toBe(0n);
      expect(status.noNewPrivs).toBe(true);
      expect(await rootIsReadOnly(container)).toBe(true);
    },
  );

  it('writes one JSON object per line to the api container stdout, and nothing else', async () => {
    const { stdout } = await project.logs('api');
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    const notJson = lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
  });

  it('restarts the api after its process is killed from outside, and it is healthy again', async () => {
    const before = await project.state('api');
    // A crash, not a stop: the host kills the container's process, so the restart policy acts
    // (`docker kill` would count as a manual stop, which `unless-stopped` honours).
    process.kill(before.pid, 'SIGKILL');
    await expect
      .poll(async () => (await project.state('api')).restartCount, { timeout: 30_000 })
      .toBeGreaterThan(before.restartCount);
    await waitHealthy(['api'], ALL_HEALTHY_WITHIN_MS);
    expect(await itemNames(project.frontUrl)).toEqual(SEEDED_NAMES);
  });

  it('stops api and db with exit code 0 within their grace, and the data survives stop and start', async () => {
    const marker = await createItem(project.frontUrl, 'Kept across stop and start');
    await project.compose(['stop', 'front']);
    for (const service of ['api', 'db']) {
      const grace = stopGraceSeconds((await project.config()).services[service] ?? {}) ?? 0;
      const asked = performance.now();
      await project.compose(['stop', service]);
      const tookMs = performance.now() - asked;
      const state = await project.state(service);
      console.info(
        `docker stop ${service}: exit ${state.exitCode} after ${Math.round(tookMs)} ms (grace ${grace} s)`,
      );
      expect(state.exitCode, `${service} exit code`).toBe(0);
      expect(tookMs).toBeLessThan(grace * 1000);
    }
    await project.compose(['start']);
    await waitHealthy(STACK, ALL_HEALTHY_WITHIN_MS);
    expect(await itemNames(project.frontUrl)).toEqual([
      ...SEEDED_NAMES,
      'Kept across stop and start',
    ]);
    expect(marker).toBeGreaterThan(3);
  });

  it('runs the monitoring profile (Prometheus scraping the api, Grafana) where its images can be pulled', async (context) => {
    const { services } = await project.config([MONITORING_PROFILE]);
    const images = Object.entries(services)
      .filter(([name]) => !DEFAULT_SERVICES.includes(name))
      .map(([, service]) => service.image ?? '');
    const missing: string[] = [];
    for (const image of images) {
      const availability = await imageAvailable(image);
      if (!availability.available) missing.push(`${image} (${availability.reason})`);
    }
    if (missing.length > 0) {
      const note = `monitoring profile not run: its images have no stand-ins and cannot be pulled here: ${missing.join(', ')}`;
      console.warn(note);
      context.skip(note);
      return;
    }
    const monitoring = ['--profile', MONITORING_PROFILE];
    try {
      await project.compose([...monitoring, 'up', '--detach'], MONITORING_UP_TIMEOUT_MS);
      await waitFor(
        'Prometheus scraping the api',
        async () => {
          const answer = await fetch(`${project.prometheusUrl}/api/v1/targets`);
          const { data } = (await answer.json()) as {
            data: { activeTargets: { labels: { job: string }; health: string }[] };
          };
          return data.activeTargets.find((target) => target.labels.job === 'tristack-api')?.health;
        },
        (health) => health === 'up',
        MONITORING_UP_TIMEOUT_MS,
      );
      await waitFor(
        'Grafana answering',
        async () => (await fetch(`${project.grafanaUrl}/api/health`)).status,
        (status) => status === 200,
        MONITORING_UP_TIMEOUT_MS,
      );
    } finally {
      await project.compose([
        ...monitoring,
        'rm',
        '--stop',
        '--force',
        ...Object.keys(services).filter((name) => !DEFAULT_SERVICES.includes(name)),
      ]);
    }
  });

  it('keeps the data across down and up, and down -v brings back a fresh seed', async () => {
    await project.compose(['down']);
    await project.up();
    await waitHealthy(STACK, ALL_HEALTHY_WITHIN_MS);
    expect(await itemNames(project.frontUrl)).toEqual([
      ...SEEDED_NAMES,
      'Kept across stop and start',
    ]);
    // On the kept volume migrate found its work done, and exited 0 again.
    expect((await project.state(MIGRATE)).exitCode).toBe(0);
    expect((await project.logs(MIGRATE)).stdout).toMatch(/already at version 2: nothing to apply/);
    expect(await historyRows()).toEqual(FIRST_BOOT_HISTORY);

    await project.down();
    await project.up();
    await waitHealthy(STACK, ALL_HEALTHY_WITHIN_MS);
    expect(await itemNames(project.frontUrl)).toEqual(SEEDED_NAMES);
  });
});
