import { defineProject } from 'vitest/config';

// The database tools (db/backup, db/bootstrap.ts) against the real server the API's tests use.
export default defineProject({
  test: {
    name: 'db',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../api/test/support/require-database.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
