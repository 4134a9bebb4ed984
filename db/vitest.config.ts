import { defineProject } from 'vitest/config';

// The database tools (migrations, db/backup, db/bootstrap.ts) against the real server the API's
// tests use; the same one-line stop as the API's suites when no database is reachable.
export default defineProject({
  test: {
    name: 'db',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../test/support/require-database.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
