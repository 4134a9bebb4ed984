import { defineProject } from 'vitest/config';

// The monitoring configuration against the real API, a real Prometheus and docker-compose.
export default defineProject({
  test: {
    name: 'monitoring',
    include: ['test/**/*.test.ts'],
    globalSetup: ['../test/support/require-database.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
