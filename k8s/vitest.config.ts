import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'k8s',
    include: ['test/**/*.test.ts'],
    // The synth test starts the real cdk8s CLI (a few seconds, more on a cold cache).
    testTimeout: 60_000,
  },
});
