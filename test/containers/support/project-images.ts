// Our two images, built the way users build them (`docker compose build`, the file's own build
// arguments), for the tests that run them outside Compose. BuildKit's cache makes a repeat cheap.
import type { BaseImages } from './base-images.ts';
import { ComposeProject } from './compose-project.ts';

const BUILD_TIMEOUT_MS = 600_000;

export async function buildProjectImages(baseImages: BaseImages): Promise<void> {
  const project = await ComposeProject.create('tristack-ct-build', baseImages);
  await project.compose(['build', 'api', 'front'], BUILD_TIMEOUT_MS);
}
