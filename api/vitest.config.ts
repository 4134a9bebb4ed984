import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'api',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../test/support/require-database.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
