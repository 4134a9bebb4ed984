import { defineProject } from 'vitest/config';

// Cross-cutting checks: the images, docker-compose.yml, the workflows and their parity with the
// API and the manifests. The runtime-stage suite installs packages and starts the built API.
export default defineProject({
  test: {
    name: 'test',
    include: ['*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
