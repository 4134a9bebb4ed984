import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'db',
    include: ['test/**/*.test.ts'],
    // The same one-line stop as the API's suites when no database is reachable.
    globalSetup: ['../api/test/support/require-database.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
