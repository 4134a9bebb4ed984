import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bench',
    include: ['test/**/*.test.ts'],
    // The smoke run builds the API, seeds a table and runs every scenario for real.
    testTimeout: 180_000,
  },
});
