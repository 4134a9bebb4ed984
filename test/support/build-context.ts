// What `docker build .` would send from the repository root once .dockerignore has filtered it,
// using @balena/dockerignore (Docker's own matching rules, as used by docker-compose's Node ports).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';
import { REPO_ROOT, readRepoFile } from './repo.ts';

// A CommonJS package typed as an ES default export: `.default` is the factory under both readings.
const ignore = dockerignore.default;

// Folders not walked (their size is the point of .dockerignore); sentinel paths stand for them.
const NOT_WALKED = new Set(['node_modules', '.git']);

function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return NOT_WALKED.has(entry.name) ? [] : walk(path);
    return [relative(REPO_ROOT, path)];
  });
}

/** The repository's files (outside node_modules and .git), relative to the root. */
export function repositoryFiles(): string[] {
  return walk(REPO_ROOT);
}

/** A predicate: does the root .dockerignore (or the given text) keep this path in the context? */
export function contextFilter(
  dockerignoreText = readRepoFile('.dockerignore'),
): (path: string) => boolean {
  const matcher = ignore().add(dockerignoreText);
  return (path) => !matcher.ignores(path);
}
