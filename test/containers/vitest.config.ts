import { defineProject } from 'vitest/config';

// The container tier: the project's images built and run on a private Docker engine (the Compose
// stack, the rendered Kubernetes pods). Its files share one engine and one set of host ports, so
// they run one at a time, and after every other project (groupOrder), so they do not compete
// with the rest of the suite for the two cores.
export default defineProject({
  test: {
    name: 'containers',
    include: ['**/*.test.ts'],
    globalSetup: ['support/global-setup.ts'],
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
