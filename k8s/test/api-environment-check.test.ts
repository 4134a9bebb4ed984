// The API must accept whatever the chart puts in its ConfigMap: the chart checks it with the API's
// own schema at synth, and these tests read the rendered data back with the API's loadConfig.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Config, checkEnvironment, LOG_LEVELS, loadConfig } from '@tristack/api/config';
import { afterAll, describe, expect, it } from 'vitest';
import { API_VARIABLE_SOURCES, checkApiEnvironment } from '../src/api-environment-check.ts';
import { buildManifests } from '../src/app.ts';
import { StackConfigError } from '../src/config.ts';
import { find, VARIANT_OVERRIDES, VARIANTS } from './fixtures.ts';
import type { K8sObject } from './invariants.ts';

const ORIGINS_REFUSED =
  'the API would refuse CORS_ORIGINS (must be comma-separated origins such as http://localhost:8080 (scheme and host, no path))';
const LOG_LEVEL_REFUSED = `the API would refuse LOG_LEVEL (must be one of ${LOG_LEVELS.join(', ')})`;

// The ConfigMap points MYSQL_PASSWORD_FILE at the mounted Secret, which exists only in a pod:
// loadConfig reads a stand-in.
const passwordFile = join(mkdtempSync(join(tmpdir(), 'tristack-')), 'mysql-password');
writeFileSync(passwordFile, 'stand-in\n');
afterAll(() => rmSync(dirname(passwordFile), { recursive: true, force: true }));

function apiConfigData(objects: K8sObject[]): Record<string, string> {
  return (find(objects, 'ConfigMap', 'api-config') as { data: Record<string, string> }).data;
}

/** The Config an API pod would start with, given these objects. */
function startedApi(objects: K8sObject[]): Config {
  return loadConfig({ ...apiConfigData(objects), MYSQL_PASSWORD_FILE: passwordFile });
}

/** The same, given the TRISTACK_* variables. */
function startedWith(environment: string, env: Record<string, string>): Config {
  return startedApi(buildManifests(environment, env) as K8sObject[]);
}

/** The error synthesis stops with. */
function refusal(environment: string, env: Record<string, string>): unknown {
  try {
    buildManifests(environment, env);
  } catch (error) {
    return error;
  }
  throw new Error(`${JSON.stringify(env)} was not refused`);
}

describe('the API ConfigMap', () => {
  it.each(Object.keys(VARIANTS))('passes the API loadConfig in the %s output', (name) => {
    expect(() => startedApi(VARIANTS[name] ?? [])).not.toThrow();
  });

  it('carries several origins, http and https, as the API splits them', () => {
    const env = { TRISTACK_CORS_ORIGINS: 'http://a.example, https://b.example:8443' };
    expect(startedWith('dev', env).corsOrigins).toEqual([
      'http://a.example',
      'https://b.example:8443',
    ]);
  });

  it('carries one https origin', () => {
    const env = { TRISTACK_CORS_ORIGINS: 'https://items.example' };
    expect(startedWith('prod', env).corsOrigins).toEqual(['https://items.example']);
  });

  it("derives an https origin from the Ingress host when TLS is on, or the host's http origin", () => {
    expect(startedWith('prod', { TRISTACK_INGRESS_HOST: 'items.example' }).corsOrigins).toEqual([
      'https://items.example',
    ]);
    expect(startedWith('dev', { TRISTACK_INGRESS_HOST: 'items.example' }).corsOrigins).toEqual([
      'http://items.example',
    ]);
  });

  it.each(LOG_LEVELS)('carries TRISTACK_LOG_LEVEL=%s as the API reads it', (level) => {
    expect(startedWith('prod', { TRISTACK_LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it('points the API at an external MySQL it accepts', () => {
    const env = {
      TRISTACK_EXTERNAL_MYSQL_HOST: 'mysql.example',
      TRISTACK_EXTERNAL_MYSQL_PORT: '1',
    };
    expect(startedWith('prod', env).mysql).toMatchObject({ host: 'mysql.example', port: 1 });
  });
});

describe('a value the API would refuse', () => {
  it.each([
    [
      'an origin without a scheme',
      { TRISTACK_CORS_ORIGINS: 'example.com' },
      `TRISTACK_CORS_ORIGINS="example.com": ${ORIGINS_REFUSED}`,
    ],
    [
      'an origin with a path',
      { TRISTACK_CORS_ORIGINS: 'http://a.example/path' },
      `TRISTACK_CORS_ORIGINS="http://a.example/path": ${ORIGINS_REFUSED}`,
    ],
    [
      'one bad origin among good ones',
      { TRISTACK_CORS_ORIGINS: 'https://a.example,b.example' },
      `TRISTACK_CORS_ORIGINS="https://a.example,b.example": ${ORIGINS_REFUSED}`,
    ],
    [
      'an unknown log level',
      { TRISTACK_LOG_LEVEL: 'verbose' },
      `TRISTACK_LOG_LEVEL="verbose": ${LOG_LEVEL_REFUSED}`,
    ],
    [
      'a log level in capitals',
      { TRISTACK_LOG_LEVEL: 'INFO' },
      `TRISTACK_LOG_LEVEL="INFO": ${LOG_LEVEL_REFUSED}`,
    ],
    [
      'origins given beside an Ingress host',
      { TRISTACK_INGRESS_HOST: 'items.example', TRISTACK_CORS_ORIGINS: 'items.example' },
      `TRISTACK_CORS_ORIGINS="items.example": ${ORIGINS_REFUSED}`,
    ],
    [
      'two at once',
      { TRISTACK_CORS_ORIGINS: 'example.com', TRISTACK_LOG_LEVEL: 'verbose' },
      `TRISTACK_CORS_ORIGINS="example.com": ${ORIGINS_REFUSED}; TRISTACK_LOG_LEVEL="verbose": ${LOG_LEVEL_REFUSED}`,
    ],
  ])('stops synthesis naming the TRISTACK_* variable that set it: %s', (_case, env, message) => {
    const error = refusal('prod', env);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as Error).message).toBe(message);
  });

  const devData = apiConfigData(VARIANTS.dev ?? []);

  it('is blamed on the chart, naming the API variable, when no setting can change it', () => {
    expect(() => checkApiEnvironment({ ...devData, SHUTDOWN_DELAY_MS: '90000' }, {})).toThrow(
      new StackConfigError(
        'the chart itself sets SHUTDOWN_DELAY_MS="90000" and the API would refuse SHUTDOWN_DELAY_MS (must be at most 60000 ms): fix k8s/src',
      ),
    );
  });

  it('is blamed on the chart when the setting that could change it is unset', () => {
    const overrides = { TRISTACK_CORS_ORIGINS: 'http://a.example' };
    expect(() => checkApiEnvironment({ ...devData, LOG_LEVEL: 'verbose' }, overrides)).toThrow(
      `the chart itself sets LOG_LEVEL="verbose" and ${LOG_LEVEL_REFUSED}: fix k8s/src`,
    );
  });

  it('is blamed on the Ingress host when CORS_ORIGINS was derived from it', () => {
    const overrides = { TRISTACK_INGRESS_HOST: 'items.example' };
    expect(() => checkApiEnvironment({ ...devData, CORS_ORIGINS: 'items' }, overrides)).toThrow(
      `TRISTACK_INGRESS_HOST="items.example": ${ORIGINS_REFUSED}`,
    );
  });
});

describe('the sources of the API variables', () => {
  it.each(Object.entries(VARIANT_OVERRIDES).filter(([, { env }]) => Object.keys(env).length > 0))(
    'name a TRISTACK_* variable set for each API variable the %s output changes',
    (name, { environment, env }) => {
      const changed = apiConfigData(VARIANTS[name] ?? []);
      const plain = apiConfigData(buildManifests(environment) as K8sObject[]);
      const unexplained = Object.keys(changed).filter(
        (variable) =>
          changed[variable] !== plain[variable] &&
          !API_VARIABLE_SOURCES[variable as keyof typeof API_VARIABLE_SOURCES]?.some(
            (source) => source in env,
          ),
      );
      expect(unexplained).toEqual([]);
    },
  );
});

// Values the API refuses, for each API variable a TRISTACK_* setting reaches. The API's own
// schema confirms each refusal first, so the list cannot hold a value the API would take.
const REFUSED_BY_THE_API: Record<string, string[]> = {
  CORS_ORIGINS: ['example.com', 'http://a.example/path', 'ftp://a.example', 'http://a.example,b'],
  LOG_LEVEL: ['verbose', 'INFO', 'warning'],
  MYSQL_HOST: [' '],
  MYSQL_PORT: ['0', '65536', '3306.5', 'mysql'],
};
// An external port needs its host.
const COMPANIONS: Record<string, Record<string, string>> = {
  TRISTACK_EXTERNAL_MYSQL_PORT: { TRISTACK_EXTERNAL_MYSQL_HOST: 'mysql.example' },
};

describe('each API rule a TRISTACK_* variable can reach', () => {
  const devData = apiConfigData(VARIANTS.dev ?? []);
  const cases = Object.entries(API_VARIABLE_SOURCES).flatMap(([variable, sources]) =>
    (REFUSED_BY_THE_API[variable] ?? []).map(
      // The first source is the one that sets the variable as given.
      (value) => [sources?.[0] ?? '', value, variable] as const,
    ),
  );

  it('has values for every API variable a setting reaches', () => {
    expect(Object.keys(REFUSED_BY_THE_API).sort()).toEqual(
      Object.keys(API_VARIABLE_SOURCES).sort(),
    );
  });

  it.each(cases)('stops synthesis for %s="%s", naming it', (source, value, variable) => {
    const refusedBy = checkEnvironment({ ...devData, [variable]: value }).map(
      (problem) => problem.variable,
    );
    expect(refusedBy).toContain(variable);
    const error = refusal('prod', { ...COMPANIONS[source], [source]: value });
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as Error).message).toContain(`${source}="${value}"`);
  });
});
