// Parity between the parts that must agree: the API's own configuration, docker-compose.yml,
// the cdk8s manifests, the front's httpd.conf and the contract (k8s/src/contract.ts). Every
// expected value is read from the code that owns it, never retyped here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { API_ENV_VARS, loadConfig } from '../api/src/config.ts';
import { INIT_SQL_PATH } from '../db/bootstrap.ts';
import { IMAGE_NAMES, PORTS, SERVICE_NAMES } from '../k8s/src/contract.ts';
import { imageRepository } from './support/compose-rules.ts';
import { publishedPorts, type ResolvedCompose, resolveCompose } from './support/docker-compose.ts';
import {
  configMapMountedAt,
  ENVIRONMENTS,
  environmentNames,
  loadManifests,
  mainContainer,
} from './support/k8s-manifests.ts';
import { readRepoFile } from './support/repo.ts';

const INITDB_DIR = '/docker-entrypoint-initdb.d';
// Either the password itself or a file holding it (a mounted Secret), never both.
const PASSWORD_PAIR = ['MYSQL_PASSWORD', 'MYSQL_PASSWORD_FILE'];

let compose: ResolvedCompose;

beforeAll(async () => {
  const resolved = await resolveCompose(
    parse(readRepoFile('docker-compose.yml')),
    readRepoFile('.env'),
  );
  if (!resolved.ok) throw new Error(resolved.problems.join('\n'));
  compose = resolved.config;
});

/** `Define NAME value` lines of front/httpd.conf. */
function httpdDefine(name: string): string | undefined {
  const match = readRepoFile('front/httpd.conf').match(
    new RegExp(`^\\s*Define ${name} (\\S+)`, 'm'),
  );
  return match?.[1];
}

describe('environment variable names', () => {
  it('compose gives the API exactly the names it reads (API_ENV_VARS)', () => {
    expect(Object.keys(compose.services.api?.environment ?? {}).sort()).toEqual(
      [...API_ENV_VARS].sort(),
    );
  });

  it.each(ENVIRONMENTS)(
    'the %s manifests give the API only names it reads, and all it needs',
    async (environment) => {
      const manifests = await loadManifests(environment);
      const names = environmentNames(manifests, mainContainer(manifests, 'api'));
      expect(names.filter((name) => !(API_ENV_VARS as readonly string[]).includes(name))).toEqual(
        [],
      );
      expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
      const needed = API_ENV_VARS.filter((name) => !PASSWORD_PAIR.includes(name));
      expect(needed.filter((name) => !names.includes(name))).toEqual([]);
      expect(PASSWORD_PAIR.filter((name) => names.includes(name))).toHaveLength(1);
    },
  );
});

describe('ports', () => {
  it('the API listens on the contract port and looks for MySQL on the contract port by default', () => {
    const defaults = loadConfig({});
    expect({ api: defaults.port, db: defaults.mysql.port }).toEqual({
      api: PORTS.api,
      db: PORTS.db,
    });
  });

  it('httpd listens on the contract front port and proxies to the api service on the API port', () => {
    expect(httpdDefine('LISTEN')).toBe(String(PORTS.front));
    expect(httpdDefine('API_URL')).toBe(`http://${SERVICE_NAMES.api}:${PORTS.api}`);
  });

  it('compose publishes the API and the front on their contract ports, and MySQL nowhere', () => {
    const targets = (name: string) =>
      publishedPorts(compose.services[name] ?? {}).map((port) => port.target);
    expect({ api: targets('api'), front: targets('front'), db: targets('db') }).toEqual({
      api: [PORTS.api],
      front: [PORTS.front],
      db: [],
    });
  });

  it.each(ENVIRONMENTS)(
    'the %s manifests use the contract container ports',
    async (environment) => {
      const manifests = await loadManifests(environment);
      const ports = (component: string) =>
        (mainContainer(manifests, component).ports ?? []).map((port) => port.containerPort);
      expect({ db: ports('db'), api: ports('api'), front: ports('front') }).toEqual({
        db: [PORTS.db],
        api: [PORTS.api],
        front: [PORTS.front],
      });
    },
  );
});

describe('images', () => {
  it('compose names the images as the contract does', () => {
    expect(imageRepository(compose.services.api?.image)).toBe(IMAGE_NAMES.api);
    expect(imageRepository(compose.services.front?.image)).toBe(IMAGE_NAMES.front);
  });

  it.each(ENVIRONMENTS)('the %s manifests run the same images as compose', async (environment) => {
    const manifests = await loadManifests(environment);
    const image = (component: string) => mainContainer(manifests, component).image;
    expect(imageRepository(image('api'))).toBe(IMAGE_NAMES.api);
    expect(imageRepository(image('front'))).toBe(IMAGE_NAMES.front);
    // One MySQL version everywhere, so what compose tested is what the cluster runs (the digest
    // Renovate adds to the compose file is left aside: the tag names the version).
    const withoutDigest = (reference: string | undefined) => reference?.split('@')[0];
    expect(withoutDigest(image('db'))).toBe(withoutDigest(compose.services.db?.image));
  });
});

describe('db/init.sql', () => {
  const initSqlPath = fileURLToPath(INIT_SQL_PATH);

  it('compose mounts the file the test suites apply, read-only, into the init folder', () => {
    expect(compose.services.db?.volumes).toContain(`${initSqlPath}:${INITDB_DIR}/init.sql:ro`);
  });

  it.each(ENVIRONMENTS)(
    'the %s manifests mount the same init.sql into the init folder',
    async (environment) => {
      const manifests = await loadManifests(environment);
      const files = configMapMountedAt(manifests, 'db', INITDB_DIR);
      expect(Object.values(files ?? {})).toContain(readFileSync(initSqlPath, 'utf8'));
    },
  );
});
