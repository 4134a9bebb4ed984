// Both images built from the real Dockerfiles on the private engine, which reaches no image
// registry: the build needs nothing but its base image, and the API image carries only what runs.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, repoPath } from '../support/repo.ts';
import { docker, runCommand } from './support/engine.ts';
import { layersOver } from './support/image-layers.ts';
import { tierLeftOut, useTier } from './support/tier.ts';

const tier = useTier();
/**
 * What the API image may add to its base: production packages, the built output and the
 * migrations' SQL (now ~24 MB, of which ~7 MB is postgrator's glob 11 and its dependencies).
 */
const API_LAYERS_BUDGET_BYTES = 30 * 1024 * 1024;
const BUILD_TIMEOUT_MS = 600_000;

/**
 * The packages at the top of node_modules in the API's production tree, as npm itself resolves
 * it from the lockfile (the API's dependencies and what they need, peers included).
 */
async function productionPackages(): Promise<string[]> {
  const { stdout } = await runCommand(
    'npm',
    ['ls', '--omit=dev', '--workspace', 'api', '--all', '--parseable'],
    { cwd: REPO_ROOT },
  );
  return [
    ...new Set(
      stdout
        .split('\n')
        .map((path) => /^.*?\/node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path)?.[1])
        .filter((name): name is string => name !== undefined),
    ),
  ].sort();
}

async function build(dockerfile: string, context: string, baseArg: string, tag: string) {
  const base = tier.current().baseImages;
  const variable = baseArg as keyof typeof base;
  return docker(
    [
      'build',
      '--progress=plain',
      '--build-arg',
      `${baseArg}=${base[variable].reference}`,
      '--file',
      repoPath(dockerfile),
      '--tag',
      tag,
      repoPath(context),
    ],
    { timeoutMs: BUILD_TIMEOUT_MS },
  );
}

describe.skipIf(tierLeftOut())('the images, built from the real Dockerfiles', () => {
  it.each([
    ['api/Dockerfile', '.', 'NODE_IMAGE', 'tristack-api:image-test'],
    ['front/Dockerfile', 'front', 'HTTPD_IMAGE', 'tristack-front:image-test'],
  ])(
    '%s builds with no registry: no frontend image fetched, the base from its ARG',
    async (dockerfile, context, baseArg, tag) => {
      const { stderr } = await build(dockerfile, context, baseArg, tag);
      const reference = tier.current().baseImages[baseArg as 'NODE_IMAGE'].reference;
      expect(stderr).not.toMatch(/docker\/dockerfile|resolve image config/);
      expect(stderr).toMatch(new RegExp(`FROM docker\\.io/${reference.replace(/[.:/]/g, '\\$&')}`));
    },
  );

  it('the API image adds only production packages, its package.json, the built output and the SQL', async () => {
    const image = 'tristack-api:image-test';
    const base = tier.current().baseImages.NODE_IMAGE.reference;
    const withContent = (await layersOver(image, base)).filter((layer) => layer.bytes > 0);
    console.info(
      `API image over its base: ${withContent.map((layer) => `${layer.bytes} B (${layer.createdBy.slice(0, 40)})`).join(', ')}`,
    );
    expect(withContent.map((layer) => layer.createdBy)).toEqual([
      'COPY db /app/db',
      'COPY /app/api/dist /app/api/dist',
      'COPY api/package.json /app/api/',
      'COPY /app/node_modules /app/node_modules',
    ]);
    const added = withContent.reduce((sum, layer) => sum + layer.bytes, 0);
    expect(added).toBeLessThan(API_LAYERS_BUDGET_BYTES);

    const { stdout } = await docker([
      'run',
      '--rm',
      '--entrypoint',
      'node',
      image,
      '-e',
      `const fs = require('node:fs');
       const names = fs.readdirSync('/app/node_modules').filter((name) => !name.startsWith('.'));
       const top = names.flatMap((name) => name.startsWith('@')
         ? fs.readdirSync('/app/node_modules/' + name).map((inner) => name + '/' + inner) : [name]);
       const files = fs.readdirSync('/app/api/dist', { recursive: true });
       const sql = fs.readdirSync('/app/db', { recursive: true });
       console.log(JSON.stringify({ top, files, sql }));`,
    ]);
    const { top, files, sql } = JSON.parse(stdout) as {
      top: string[];
      files: string[];
      sql: string[];
    };
    expect(top.sort()).toEqual(await productionPackages());
    expect(files.filter((file) => /\.ts$|\.test\./.test(file) && !file.endsWith('.d.ts'))).toEqual(
      [],
    );
    expect(files).toContain('main.js');
    // The migrate service's entry, and the SQL it applies: the repository's, nothing more.
    expect(files).toContain('migrations/cli.js');
    const migrations = readdirSync(repoPath('db/migrations')).filter((name) =>
      name.endsWith('.sql'),
    );
    expect(sql.sort()).toEqual(
      ['init.sql', 'migrations', ...migrations.map((name) => `migrations/${name}`)].sort(),
    );
  });
});
