import { defineConfig } from 'vitest/config';

// Each workspace owns its test setup (databases, httpd, browsers); the root only lists them.
export default defineConfig({
  test: {
    projects: [
      '{api,db,k8s,front,test,monitoring,bench}/vitest.config.ts',
      'test/containers/vitest.config.ts',
    ],
  },
});
