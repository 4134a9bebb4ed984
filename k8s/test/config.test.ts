import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildManifests } from '../src/app.ts';
import { ENVIRONMENTS } from '../src/config.ts';
import { OVERRIDE_VARIABLES, resolveStackConfig } from '../src/overrides.ts';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('the environments', () => {
  it('never embed a production password: prod references an existing Secret', () => {
    expect(ENVIRONMENTS.prod.databaseSecret).toEqual({
      name: 'db-credentials',
      generateDevValues: false,
    });
  });

  it('are not changed by resolving one with overrides', () => {
    const before = structuredClone(ENVIRONMENTS);
    resolveStackConfig('dev', { TRISTACK_API_REPLICAS: '7', TRISTACK_IMAGE_TAG: '9.9.9' });
    expect(ENVIRONMENTS).toEqual(before);
  });

  it('raise maxReplicas to replicas rather than produce an impossible autoscaler', () => {
    const config = resolveStackConfig('dev', { TRISTACK_API_REPLICAS: '6' });
    expect(config.api).toMatchObject({ replicas: 6, maxReplicas: 6 });
  });

  it('ignore empty variables, as unset', () => {
    expect(resolveStackConfig('prod', { TRISTACK_INGRESS_HOST: '' })).toEqual(
      resolveStackConfig('prod'),
    );
  });
});

describe('a bad configuration', () => {
  const cases: [string, string, Record<string, string>, RegExp][] = [
    [
      'an unknown environment',
      'staging',
      {},
      /unknown environment "staging": choose one of dev, prod/,
    ],
    [
      'a latest tag',
      'dev',
      { TRISTACK_IMAGE_TAG: 'latest' },
      /TRISTACK_IMAGE_TAG="latest" must be pinned to a version, not "latest"/,
    ],
    [
      'a tag with a slash',
      'dev',
      { TRISTACK_IMAGE_TAG: 'a/b' },
      /TRISTACK_IMAGE_TAG="a\/b" must be an image tag/,
    ],
    [
      'a MySQL image without tag',
      'dev',
      { TRISTACK_MYSQL_IMAGE: 'mysql' },
      /TRISTACK_MYSQL_IMAGE="mysql" must include a tag/,
    ],
    [
      'zero replicas',
      'dev',
      { TRISTACK_API_REPLICAS: '0' },
      /TRISTACK_API_REPLICAS="0" must be a whole number from 1 to 100/,
    ],
    [
      'fractional replicas',
      'dev',
      { TRISTACK_FRONT_REPLICAS: '1.5' },
      /TRISTACK_FRONT_REPLICAS="1.5" must be a whole number/,
    ],
    [
      'a storage size without unit syntax',
      'dev',
      { TRISTACK_STORAGE_SIZE: '10 GB' },
      /TRISTACK_STORAGE_SIZE="10 GB" must be a Kubernetes quantity/,
    ],
    [
      'an uppercase namespace',
      'dev',
      { TRISTACK_NAMESPACE: 'Tristack' },
      /TRISTACK_NAMESPACE="Tristack" must be a DNS label/,
    ],
    [
      'a host with a scheme',
      'dev',
      { TRISTACK_INGRESS_HOST: 'https://x.example' },
      /TRISTACK_INGRESS_HOST="https:\/\/x.example" must be a DNS name/,
    ],
    [
      'TLS without a host',
      'dev',
      { TRISTACK_INGRESS_TLS_SECRET: 'tls' },
      /TLS needs a host: set TRISTACK_INGRESS_HOST/,
    ],
    [
      'an unknown log level',
      'dev',
      { TRISTACK_LOG_LEVEL: 'verbose' },
      /TRISTACK_LOG_LEVEL="verbose": the API would refuse LOG_LEVEL \(must be one of/,
    ],
    [
      'an external port alone',
      'prod',
      { TRISTACK_EXTERNAL_MYSQL_PORT: '3306' },
      /TRISTACK_EXTERNAL_MYSQL_PORT is set without TRISTACK_EXTERNAL_MYSQL_HOST/,
    ],
    [
      'an external port out of range',
      'prod',
      { TRISTACK_EXTERNAL_MYSQL_HOST: 'db.example', TRISTACK_EXTERNAL_MYSQL_PORT: '70000' },
      /must be a port from 1 to 65535/,
    ],
    [
      'storage for an external database',
      'prod',
      { TRISTACK_EXTERNAL_MYSQL_HOST: 'db.example', TRISTACK_STORAGE_SIZE: '5Gi' },
      /TRISTACK_STORAGE_SIZE has no effect with TRISTACK_EXTERNAL_MYSQL_HOST/,
    ],
  ];

  it.each(cases)(
    'is refused with a message naming the problem: %s',
    (_case, environment, env, message) => {
      expect(() => buildManifests(environment, env)).toThrow(message);
    },
  );
});

describe('the TRISTACK_* variables', () => {
  it('refuse a misspelt one rather than ignore it, naming it and the real ones', () => {
    expect(() => buildManifests('dev', { TRISTACK_INGRES_HOST: 'x.example' })).toThrow(
      `unknown variable TRISTACK_INGRES_HOST: the settings are ${OVERRIDE_VARIABLES.join(', ')}`,
    );
  });

  it('leave variables of other tools alone', () => {
    expect(() => buildManifests('dev', { TRISTACKS: '1', KUBECONFIG: '/x' })).not.toThrow();
  });

  it('report every bad value at once, each under its own name', () => {
    expect(() =>
      buildManifests('dev', { TRISTACK_API_REPLICAS: 'two', TRISTACK_NAMESPACE: 'A' }),
    ).toThrow(
      'TRISTACK_NAMESPACE="A" must be a DNS label (lowercase letters, digits, "-"); ' +
        'TRISTACK_API_REPLICAS="two" must be a whole number from 1 to 100',
    );
  });

  it('are the ones docs/kubernetes.md documents', () => {
    const docs = readFileSync(new URL('../../docs/kubernetes.md', import.meta.url), 'utf8');
    const documented = new Set(docs.match(/TRISTACK_[A-Z_]+[A-Z]/g));
    expect([...documented].sort()).toEqual([...OVERRIDE_VARIABLES].sort());
  });
});

describe('npx cdk8s synth with a bad setting', () => {
  const outdirs: string[] = [];
  afterAll(async () => {
    await Promise.all(outdirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it.each([
    [
      'an unknown TRISTACK_ENV',
      { TRISTACK_ENV: 'staging' },
      'tristack: unknown environment "staging": choose one of dev, prod',
    ],
    [
      'origins the API would refuse',
      { TRISTACK_CORS_ORIGINS: 'example.com' },
      'tristack: TRISTACK_CORS_ORIGINS="example.com": the API would refuse CORS_ORIGINS (must be comma-separated origins such as http://localhost:8080 (scheme and host, no path))',
    ],
  ])('exits non-zero with one clear line and writes no manifest: %s', async (_case, env, line) => {
    const outdir = await mkdtemp(join(tmpdir(), 'tristack-synth-'));
    outdirs.push(outdir);
    const failure = await run('npx', ['tsx', MAIN], {
      cwd: REPO,
      env: { ...process.env, ...env, CDK8S_OUTDIR: outdir },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim()).toBe(line);
    expect(await readdir(outdir)).toEqual([]);
  });
});
