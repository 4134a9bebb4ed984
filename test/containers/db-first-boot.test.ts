// The db service's healthcheck, exactly as docker-compose.yml declares it, asked while the mysql
// entrypoint initialises an empty volume. The entrypoint's temporary server listens on the socket
// only: a check that passed then would call the database healthy before it takes connections.

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComposeProject } from './support/compose-project.ts';
import { CommandError, docker } from './support/engine.ts';
import { tierLeftOut, useTier } from './support/tier.ts';
import { waitFor } from './support/wait.ts';

const PROJECT = 'tristack-ct-first-boot';
const OVERRIDE = fileURLToPath(new URL('fixtures/db-slow-init.override.yml', import.meta.url));
/** What the entrypoint logs once the temporary server is up, and once it has stopped. */
const TEMPORARY_SERVER_UP = /Temporary server started/;
const INIT_DONE = /init process done\. Ready for start up/;
const FIRST_BOOT_WITHIN_MS = 90_000;
/** The socket ping a careless healthcheck would use: it answers during initialisation. */
const SOCKET_PING = ['mysqladmin', 'ping', '--silent'];

const tier = useTier();

async function passes(container: string, command: string[]): Promise<boolean> {
  try {
    await docker(['exec', container, ...command]);
    return true;
  } catch (error) {
    if (error instanceof CommandError) return false;
    throw error;
  }
}

describe.skipIf(tierLeftOut())('the db healthcheck during the first boot', () => {
  let project: ComposeProject;

  beforeAll(async () => {
    project = await ComposeProject.create(PROJECT, tier.current().baseImages, [OVERRIDE]);
    await project.down();
  });

  afterAll(async () => {
    await project?.down();
  });

  it('fails while the entrypoint initialises (socket-only server), passes once MySQL listens on TCP', async () => {
    const declared = (await project.config()).services.db?.healthcheck?.test ?? [];
    // The exec form, as docker-compose.yml writes it (a string would be run by a shell).
    if (!Array.isArray(declared)) throw new Error(`db healthcheck not in exec form: ${declared}`);
    expect(declared[0]).toBe('CMD');
    const healthcheck = declared.slice(1);

    await project.up(['db']);
    const container = await project.containerId('db');
    const logs = async () => {
      const { stdout, stderr } = await docker(['logs', container]);
      return stdout + stderr;
    };
    await waitFor(
      'the temporary server',
      logs,
      (text) => TEMPORARY_SERVER_UP.test(text),
      FIRST_BOOT_WITHIN_MS,
    );
    expect(INIT_DONE.test(await logs()), 'still initialising').toBe(false);

    // The window is real: a socket ping would already pass...
    expect(await passes(container, SOCKET_PING)).toBe(true);
    // ...the declared check does not, and Docker does not call the service healthy.
    expect(await passes(container, healthcheck)).toBe(false);
    expect((await project.state('db')).health).not.toBe('healthy');
    expect(INIT_DONE.test(await logs()), 'still initialising after the checks').toBe(false);

    await waitFor(
      'the end of initialisation',
      logs,
      (text) => INIT_DONE.test(text),
      FIRST_BOOT_WITHIN_MS,
    );
    await waitFor(
      'the declared healthcheck',
      () => passes(container, healthcheck),
      Boolean,
      FIRST_BOOT_WITHIN_MS,
    );
    await waitFor(
      'Docker calling db healthy',
      async () => (await project.state('db')).health,
      (health) => health === 'healthy',
      FIRST_BOOT_WITHIN_MS,
    );
  });
});
