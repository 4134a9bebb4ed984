import { defineProject } from 'vitest/config';

// Real servers and a real browser: starting them takes seconds, so hooks and tests get room.
const STARTUP_BUDGET_MS = 60_000;

export default defineProject({
  test: {
    name: 'front',
    include: ['test/**/*.test.ts'],
    testTimeout: STARTUP_BUDGET_MS,
    hookTimeout: STARTUP_BUDGET_MS,
  },
});
