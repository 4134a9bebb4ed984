// The API image builds from the repository root: .dockerignore must keep that context to what
// api/Dockerfile copies, and never let secrets, dependencies or build output in.
import { describe, expect, it } from 'vitest';
import { contextFilter, repositoryFiles } from './support/build-context.ts';
import { contextSources } from './support/dockerfile-rules.ts';
import { readRepoFile } from './support/repo.ts';

const API_DOCKERFILE = readRepoFile('api/Dockerfile');

// Paths that must never reach the builder, whether or not they exist in this checkout.
const NEVER_IN_CONTEXT = [
  'node_modules/express/package.json',
  'api/node_modules/.bin/tsc',
  '.git/config',
  '.env',
  '.env.local',
  'api/.env',
  'api/dist/main.js',
  'api/test/health.test.ts',
  'api/src/items/items.test.ts',
  'k8s/src/app.ts',
  // Of db/, the image takes the SQL only.
  'db/bootstrap.ts',
  'db/migrate.ts',
  'db/test/migrate.test.ts',
  'front/index.html',
  'docs/containers.md',
  'secrets/mysql_password.txt',
  '.ci/results/vitest.json',
];

/** The context's files under a COPY source (a file or a folder). */
function filesUnder(source: string, files: string[]): string[] {
  const prefix = source.replace(/\/+$/, '');
  return files.filter((file) => file === prefix || file.startsWith(`${prefix}/`));
}

describe('the root build context', () => {
  const inContext = contextFilter();
  const contextFiles = repositoryFiles().filter(inContext);

  it.each(contextSources(API_DOCKERFILE))('lets api/Dockerfile copy %s', (source) => {
    expect(filesUnder(source, contextFiles)).not.toEqual([]);
  });

  it.each(NEVER_IN_CONTEXT)('leaves out %s', (path) => {
    expect(inContext(path)).toBe(false);
  });

  it('holds nothing but what api/Dockerfile copies', () => {
    const sources = contextSources(API_DOCKERFILE);
    const unused = contextFiles.filter(
      (file) => !sources.some((source) => filesUnder(source, [file]).length),
    );
    expect(unused).toEqual([]);
  });
});

describe('the context check', () => {
  it('notices a .dockerignore that lets node_modules and .env through', () => {
    const careless = contextFilter('.git\n');
    expect(NEVER_IN_CONTEXT.filter((path) => careless(path))).toContain(
      'node_modules/express/package.json',
    );
    expect(careless('.env')).toBe(true);
  });

  it('notices a .dockerignore that drops a file the Dockerfile copies', () => {
    const tooStrict = contextFilter(`${readRepoFile('.dockerignore')}\npackage-lock.json\n`);
    expect(filesUnder('package-lock.json', repositoryFiles().filter(tooStrict))).toEqual([]);
  });
});
