// Once per run of the tier: the private engine (started unless it already runs, stopped at the
// end only if this run started it) and the base images. A failure here does not abort the other
// projects: every test of the tier then fails with the reason, in one line.
import type { TestProject } from 'vitest/node';
import { ensureBaseImages } from './base-images.ts';
import { docker, SKIP_VARIABLE, startEngine, stopEngine, tierSkipped } from './engine.ts';
import { unavailable } from './tier.ts';

/** The tag docker-compose.yml gives our images (`image: tristack-api:dev`). */
const COMPOSE_IMAGE_TAG = 'dev';

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (tierSkipped()) {
    console.warn(`container tier: left out on purpose (${SKIP_VARIABLE}=1)`);
    project.provide('containerTier', { status: 'skipped' });
    return undefined;
  }
  let started = false;
  try {
    started = startEngine().started;
    const baseImages = await ensureBaseImages((line) => console.info(`container tier: ${line}`));
    // Stand-ins rebuilt over older ones leave their predecessors untagged.
    await docker(['image', 'prune', '--force']);
    project.provide('containerTier', { status: 'ready', baseImages, imageTag: COMPOSE_IMAGE_TAG });
  } catch (error) {
    const reason = unavailable((error as Error).message);
    console.error(reason);
    project.provide('containerTier', { status: 'failed', reason });
  }
  return () => {
    if (started) stopEngine();
  };
}
