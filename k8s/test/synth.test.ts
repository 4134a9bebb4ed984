import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildManifests, renderYaml } from '../src/app.ts';
import { ENVIRONMENT_NAMES } from '../src/config.ts';
import { renderedFile, writeRendered } from '../src/render.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));

// The user's shell may carry TRISTACK_* overrides; the defaults are under test here.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('TRISTACK_')),
);

const outdirs: string[] = [];
afterAll(async () => {
  await Promise.all(outdirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs the user's command, `npx cdk8s synth`, from the repository root into a fresh directory. */
async function cdk8sSynth(environment: string): Promise<Record<string, string>> {
  const outdir = await mkdtemp(join(tmpdir(), `tristack-${environment}-`));
  outdirs.push(outdir);
  await run('npx', ['cdk8s', 'synth', '--no-check-upgrade', '--output', outdir], {
    cwd: REPO,
    env: { ...cleanEnv, TRISTACK_ENV: environment },
  });
  const files = await readdir(outdir);
  return Object.fromEntries(
    await Promise.all(
      files.map(async (file) => [file, await readFile(join(outdir, file), 'utf8')]),
    ),
  );
}

describe.each(ENVIRONMENT_NAMES)('synthesizing %s', (environment) => {
  // Two real runs, shared by the tests below: the CLI takes seconds each.
  let runs: Promise<[Record<string, string>, Record<string, string>]> | undefined;
  const twoRuns = () => {
    runs ??= Promise.all([cdk8sSynth(environment), cdk8sSynth(environment)]);
    return runs;
  };

  it('gives byte-identical YAML twice in a row', () => {
    expect(renderYaml(environment)).toBe(renderYaml(environment));
  });

  it('with `npx cdk8s synth` writes tristack.k8s.yaml, the same bytes every run', async () => {
    const [first, second] = await twoRuns();
    expect(Object.keys(first)).toEqual(['tristack.k8s.yaml']);
    expect(second).toEqual(first);
    expect(first['tristack.k8s.yaml']).toBe(renderYaml(environment));
  });

  it('writes the objects buildManifests returns, in the same order', async () => {
    const [files] = await twoRuns();
    const documents = parseAllDocuments(files['tristack.k8s.yaml'] ?? '').map((document) =>
      document.toJS(),
    );
    expect(documents).toEqual(buildManifests(environment));
  });

  it('matches the committed k8s/rendered file skaffold deploys (refresh: npm run render -w k8s)', async () => {
    await expect(renderYaml(environment)).toMatchFileSnapshot(renderedFile(environment));
  });
});

describe('the skaffold render hook', () => {
  it('rewrites its file only when the content changes, so skaffold dev does not loop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tristack-render-'));
    outdirs.push(dir);
    const file = join(dir, 'nested', 'dev.k8s.yaml');
    expect(writeRendered('dev', file)).toBe(true);
    const written = await stat(file);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writeRendered('dev', file)).toBe(false);
    expect((await stat(file)).mtimeMs).toBe(written.mtimeMs);
    expect(await readFile(file, 'utf8')).toBe(renderYaml('dev'));
    expect(writeRendered('prod', file)).toBe(true);
  });
});
