// docker-compose.yml against docker-compose 1.29, the compose-spec schema and the contract, and
// proof that the checker rejects each way the file could plausibly break.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeProblems } from './support/compose-check.ts';
import { composeSchemaProblems } from './support/compose-schema.ts';
import { REPO_ROOT, readRepoFile } from './support/repo.ts';

const run = promisify(execFile);
const COMPOSE_TEXT = readRepoFile('docker-compose.yml');
const ENV_TEXT = readRepoFile('.env');

// biome-ignore lint/suspicious/noExplicitAny: the document is plain YAML being broken on purpose.
type ComposeDocument = any;

/** A fresh copy of docker-compose.yml with one change applied. */
function variant(change: (compose: ComposeDocument) => void): ComposeDocument {
  const compose = parse(COMPOSE_TEXT);
  change(compose);
  return compose;
}

function envVariant(change: (lines: string[]) => string[]): string {
  return change(ENV_TEXT.split('\n')).join('\n');
}

describe('docker-compose.yml as it is', () => {
  it.each([
    ['', []],
    [' --profile monitoring', ['--profile', 'monitoring']],
    [' --profile backup', ['--profile', 'backup']],
  ])('passes `docker-compose%s config -q` from the repository root', async (_, profileArgs) => {
    const { stdout, stderr } = await run('docker-compose', [...profileArgs, 'config', '-q'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    expect(stdout + stderr).toBe('');
  });

  it('is valid against the compose-spec JSON schema', () => {
    expect(composeSchemaProblems(parse(COMPOSE_TEXT))).toEqual([]);
  });

  it('keeps every rule of the contract once .env is interpolated', async () => {
    expect(await composeProblems(parse(COMPOSE_TEXT), ENV_TEXT)).toEqual([]);
  });
});

describe('.env', () => {
  it('says it is for development only', () => {
    expect(ENV_TEXT).toMatch(/DEVELOPMENT ONLY/);
  });

  it('gives compose an app user rather than root, with passwords', () => {
    const values = Object.fromEntries(
      ENV_TEXT.split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(values.MYSQL_USER).toMatch(/^(?!root$)\w+$/);
    expect(values.MYSQL_PASSWORD).not.toBe('');
    expect(values.MYSQL_ROOT_PASSWORD).not.toBe('');
  });
});

// Each case breaks one thing; the checker must name it. `expected` is a fragment of the message.
const BROKEN_COMPOSE_FILES: {
  name: string;
  change: (compose: ComposeDocument) => void;
  expected: RegExp;
}[] = [
  {
    name: 'the API publishes the wrong container port',
    change: (c) => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, not JavaScript
      c.services.api.ports = ['${API_PORT:-8000}:8001'];
    },
    expected: /api: must publish exactly container port 8000/,
  },
  {
    name: 'the front is published on every address of the host',
    change: (c) => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, not JavaScript
      c.services.front.ports = ['${FRONT_PORT:-8080}:8080'];
    },
    expected: /front: must publish port 8080 on 127\.0\.0\.1 only/,
  },
  {
    name: 'the front publishes the wrong container port',
    change: (c) => {
      c.services.front.ports = ['8080:80'];
    },
    expected: /front: must publish exactly container port 8080/,
  },
  {
    name: 'the API listens on another port inside the network',
    change: (c) => {
      c.services.api.environment.API_PORT = 8001;
    },
    expected: /api: API_PORT must be 8000/,
  },
  {
    name: 'the API has no healthcheck',
    change: (c) => {
      delete c.services.api.healthcheck;
    },
    expected: /api: needs a healthcheck/,
  },
  {
    name: 'the API healthcheck asks liveness instead of readiness',
    change: (c) => {
      c.services.api.healthcheck.test[3] = c.services.api.healthcheck.test[3].replace(
        '/status',
        '/healthz',
      );
    },
    expected: /api: healthcheck must ask http:\/\/127\.0\.0\.1:8000\/status/,
  },
  {
    name: 'the database has no healthcheck',
    change: (c) => {
      delete c.services.db.healthcheck;
    },
    expected: /db: needs a healthcheck/,
  },
  {
    name: 'the database healthcheck uses the socket, healthy while init.sql still runs',
    change: (c) => {
      c.services.db.healthcheck.test = ['CMD', 'mysqladmin', 'ping', '--silent'];
    },
    expected: /db: healthcheck must be `mysqladmin ping -h 127\.0\.0\.1`/,
  },
  {
    name: 'an API variable name has a typo',
    change: (c) => {
      const env = c.services.api.environment;
      env.MYSQL_PASWORD = env.MYSQL_PASSWORD;
      delete env.MYSQL_PASSWORD;
    },
    expected: /api: environment lacks MYSQL_PASSWORD.*|api: environment sets MYSQL_PASWORD/,
  },
  {
    name: 'an API variable is missing',
    change: (c) => {
      delete c.services.api.environment.LOG_LEVEL;
    },
    expected: /api: environment lacks LOG_LEVEL/,
  },
  {
    name: 'the API is pointed at localhost instead of the db service',
    change: (c) => {
      c.services.api.environment.MYSQL_HOST = 'localhost';
    },
    expected: /api: MYSQL_HOST must be db/,
  },
  {
    name: 'the API logs in with another password than the database was given',
    change: (c) => {
      c.services.api.environment.MYSQL_PASSWORD = 'something-else';
    },
    expected: /db and api: MYSQL_PASSWORD differs/,
  },
  {
    name: 'the front joins the database network',
    change: (c) => {
      c.services.front.networks.push('backend');
    },
    expected: /front and db share backend/,
  },
  {
    name: 'the database network can reach outside',
    change: (c) => {
      delete c.networks.backend.internal;
    },
    expected: /db: network backend must be internal/,
  },
  {
    name: 'the database publishes 3306',
    change: (c) => {
      c.services.db.ports = ['3306:3306'];
    },
    expected: /db: must not publish a port/,
  },
  {
    name: 'the database image floats on the 8.4 minor',
    change: (c) => {
      c.services.db.image = 'mysql:8.4';
    },
    expected: /db: image must be mysql:8\.4 pinned to a patch version/,
  },
  {
    name: 'the database keeps its data in the container',
    change: (c) => {
      c.services.db.volumes = c.services.db.volumes.filter(
        (v: string) => !v.includes('/var/lib/mysql'),
      );
    },
    expected: /db: \/var\/lib\/mysql must be a named volume/,
  },
  {
    name: 'init.sql is mounted writable',
    change: (c) => {
      c.services.db.volumes[1] = './db/init.sql:/docker-entrypoint-initdb.d/init.sql';
    },
    expected: /init\.sql must be mounted read-only/,
  },
  {
    name: 'init.sql is mounted from a path that does not exist',
    change: (c) => {
      c.services.db.volumes[1] = './init.sql:/docker-entrypoint-initdb.d/init.sql:ro';
    },
    expected: /init\.sql must be mounted read-only into \/docker-entrypoint-initdb\.d\//,
  },
  {
    name: 'the API starts as soon as the database container starts',
    change: (c) => {
      c.services.api.depends_on = ['db'];
    },
    expected: /api: must depend on db being service_healthy/,
  },
  {
    name: "the API keeps docker's 10 s stop timeout, too short for the delay and the drain",
    change: (c) => {
      delete c.services.api.stop_grace_period;
    },
    expected: /api: stop_grace_period must be at least 17s .*found none \(docker's 10s\)/,
  },
  {
    name: 'the database is killed before MySQL can flush',
    change: (c) => {
      c.services.db.stop_grace_period = '30s';
    },
    expected: /db: stop_grace_period must be at least 60s for MySQL to flush InnoDB; found 30s/,
  },
  {
    name: 'the front does not wait for a healthy API',
    change: (c) => {
      delete c.services.front.depends_on;
    },
    expected: /front: must depend on api being service_healthy/,
  },
  {
    name: 'the API root filesystem is writable',
    change: (c) => {
      delete c.services.api.read_only;
    },
    expected: /api: root filesystem must be read_only/,
  },
  {
    name: 'the API keeps its capabilities',
    change: (c) => {
      delete c.services.api.cap_drop;
    },
    expected: /api: cap_drop must include ALL/,
  },
  {
    name: 'the API may gain privileges',
    change: (c) => {
      delete c.services.api.security_opt;
    },
    expected: /api: security_opt must include no-new-privileges/,
  },
  {
    name: 'the API image has another name than the contract',
    change: (c) => {
      c.services.api.image = 'tristack-backend:dev';
    },
    expected: /api: image must be tristack-api/,
  },
  {
    name: 'a service restarts always, even after `docker compose stop`',
    change: (c) => {
      c.services.front.restart = 'always';
    },
    expected: /front: restart must be unless-stopped/,
  },
  {
    name: 'the API starts before the migrations finished',
    change: (c) => {
      delete c.services.api.depends_on.migrate;
    },
    expected: /api: must depend on migrate being service_completed_successfully/,
  },
  {
    name: 'the API waits for the migrations only to start, not to succeed',
    change: (c) => {
      c.services.api.depends_on.migrate.condition = 'service_started';
    },
    expected: /api: must depend on migrate being service_completed_successfully/,
  },
  {
    name: 'the migrations restart after they exit',
    change: (c) => {
      c.services.migrate.restart = 'unless-stopped';
    },
    expected: /migrate: restart must be "no"/,
  },
  {
    name: 'the migrations run from another image than the API',
    change: (c) => {
      c.services.migrate.image = 'tristack-migrate:dev';
    },
    expected: /migrate: image must be the api's \(tristack-api:dev\)/,
  },
  {
    name: 'the migrations start the API instead',
    change: (c) => {
      c.services.migrate.command = ['node', 'dist/main.js'];
    },
    expected: /migrate: command must be node dist\/migrations\/cli\.js/,
  },
  {
    name: 'the migrations run as root',
    change: (c) => {
      c.services.migrate.environment.MYSQL_USER = 'root';
    },
    expected: /migrate: runs as the app user, never root|db and migrate: MYSQL_USER differs/,
  },
  {
    name: 'the migrations log in with another password than the database was given',
    change: (c) => {
      c.services.migrate.environment.MYSQL_PASSWORD = 'something-else';
    },
    expected: /db and migrate: MYSQL_PASSWORD differs, so migrate could not log in/,
  },
  {
    name: 'the migrations have a writable root filesystem',
    change: (c) => {
      delete c.services.migrate.read_only;
    },
    expected: /migrate: root filesystem must be read_only/,
  },
  {
    name: 'the migrations keep their capabilities',
    change: (c) => {
      delete c.services.migrate.cap_drop;
    },
    expected: /migrate: cap_drop must include ALL/,
  },
  {
    name: 'the migrations join the front network',
    change: (c) => {
      c.services.migrate.networks.push('frontend');
    },
    expected: /migrate: must join backend only; found backend, frontend/,
  },
  {
    name: 'the migrations keep the image healthcheck, which asks an API they do not run',
    change: (c) => {
      delete c.services.migrate.healthcheck;
    },
    expected: /migrate: healthcheck must be disabled/,
  },
  {
    name: 'a key is misspelt',
    change: (c) => {
      c.services.api.healthchek = c.services.api.healthcheck;
    },
    expected:
      /compose-spec schema: \/services\/api must NOT have additional properties \(healthchek\)/,
  },
  {
    name: 'a healthcheck uses start_interval, which docker-compose 1.29 rejects',
    change: (c) => {
      c.services.api.healthcheck.start_interval = '1s';
    },
    expected: /docker-compose config: .*start_interval/,
  },
  {
    name: 'the file has a top-level name, which docker-compose 1.29 rejects',
    change: (c) => {
      c.name = 'tristack';
    },
    expected: /docker-compose config: .*'name'/,
  },
  {
    name: 'a monitoring image floats on a major version',
    change: (c) => {
      c.services.prometheus.image = 'prom/prometheus:v3';
    },
    expected: /prometheus: image must be pinned to a full version/,
  },
  {
    name: 'a monitoring image has no tag at all',
    change: (c) => {
      c.services.grafana.image = 'grafana/grafana';
    },
    expected: /grafana: image must be pinned to a full version/,
  },
  {
    name: 'Grafana joins the database network',
    change: (c) => {
      c.services.grafana.networks.push('backend');
    },
    expected: /grafana and db share a network/,
  },
  {
    name: 'Prometheus is not on a network with the API',
    change: (c) => {
      c.services.api.networks = c.services.api.networks.filter((n: string) => n !== 'monitoring');
    },
    expected: /prometheus cannot reach api/,
  },
  {
    name: 'Loki starts without the monitoring profile',
    change: (c) => {
      delete c.services.loki.profiles;
    },
    expected:
      /services without a profile must be exactly api, db, front, migrate; found api, db, front, loki, migrate/,
  },
  {
    name: 'Grafana is published on every interface',
    change: (c) => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, not JavaScript
      c.services.grafana.ports = ['${GRAFANA_PORT:-3000}:3000'];
    },
    expected: /grafana: port 3000 must be published on 127\.0\.0\.1 only/,
  },
  {
    name: 'the Prometheus configuration is mounted from a file that does not exist',
    change: (c) => {
      c.services.prometheus.volumes[0] =
        './monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro';
    },
    expected: /prometheus: mounts .*monitoring\/prometheus\.yml, which does not exist/,
  },
  {
    name: 'a monitoring service takes a capability back without a reason',
    change: (c) => {
      c.services.grafana.cap_add = ['NET_ADMIN'];
    },
    expected: /grafana: must not add capabilities NET_ADMIN/,
  },
  {
    name: 'the Grafana dashboards are mounted writable',
    change: (c) => {
      c.services.grafana.volumes[1] = './monitoring/grafana/dashboards:/etc/grafana/dashboards';
    },
    expected: /grafana: .*dashboards must be mounted read-only/,
  },
  {
    name: 'the backup runs in an image without the dump tool of the server',
    change: (c) => {
      c.services.backup.image = 'tristack-api:dev';
    },
    expected: /backup: image must be db's \(mysql:8\.4\.\d+\)/,
  },
  {
    name: 'the backup starts with a plain `docker compose up`',
    change: (c) => {
      delete c.services.backup.profiles;
    },
    expected: /backup: must start only with the backup profile/,
  },
  {
    name: 'the backup runs as root',
    change: (c) => {
      delete c.services.backup.user;
    },
    expected: /backup: user must be set and not root/,
  },
  {
    name: 'the backup keeps a writable root filesystem',
    change: (c) => {
      delete c.services.backup.read_only;
    },
    expected: /backup: root filesystem must be read_only/,
  },
  {
    name: 'the backup joins the front network',
    change: (c) => {
      c.services.backup.networks.push('frontend');
    },
    expected: /backup: must be on db's networks only; found backend, frontend/,
  },
  {
    name: 'the backup logs in with another user than the database has',
    change: (c) => {
      c.services.backup.environment.MYSQL_USER = 'someone';
    },
    expected: /db and backup: MYSQL_USER differs/,
  },
  {
    name: 'the backup writes its dumps inside the container',
    change: (c) => {
      c.services.backup.volumes = c.services.backup.volumes.filter(
        (v: string) => !v.includes('/backups'),
      );
    },
    expected: /backup: BACKUP_DIR must be a writable mount/,
  },
  {
    name: 'the backup script is mounted writable',
    change: (c) => {
      c.services.backup.volumes[0] = c.services.backup.volumes[0].replace(/:ro$/, '');
    },
    expected: /backup: must mount .*db\/backup\/compose-backup\.sh read-only/,
  },
  {
    name: 'a service hides under a profile no rule knows',
    change: (c) => {
      c.services.backup.profiles = ['nightly'];
    },
    expected: /backup: profiles must be one of monitoring, backup; found nightly/,
  },
  {
    name: 'an interval is not a duration',
    change: (c) => {
      c.services.db.healthcheck.interval = '5 seconds';
    },
    expected: /\/services\/db\/healthcheck\/interval must match format "duration"/,
  },
];

describe('the compose checker rejects a broken docker-compose.yml', () => {
  // Concurrent: each case waits on its own docker-compose process.
  it.concurrent.for(BROKEN_COMPOSE_FILES)(
    'when $name',
    async ({ change, expected }, { expect }) => {
      const problems = await composeProblems(variant(change), ENV_TEXT);
      expect(problems.join('\n')).toMatch(expected);
    },
  );
});

describe('the compose checker rejects a broken .env', () => {
  it('when MYSQL_USER is missing (compose stops with the reason)', async () => {
    const env = envVariant((lines) => lines.filter((line) => !line.startsWith('MYSQL_USER=')));
    const problems = await composeProblems(parse(COMPOSE_TEXT), env);
    expect(problems.join('\n')).toMatch(/set MYSQL_USER in \.env/);
  });

  it('when MYSQL_USER is root', async () => {
    const env = envVariant((lines) =>
      lines.map((line) => (line.startsWith('MYSQL_USER=') ? 'MYSQL_USER=root' : line)),
    );
    const problems = await composeProblems(parse(COMPOSE_TEXT), env);
    expect(problems.join('\n')).toMatch(/db: MYSQL_USER must name an app user/);
  });

  it("when SHUTDOWN_DELAY_MS outgrows the API's stop_grace_period", async () => {
    const env = envVariant((lines) => [...lines, 'SHUTDOWN_DELAY_MS=15000']);
    const problems = await composeProblems(parse(COMPOSE_TEXT), env);
    expect(problems.join('\n')).toMatch(/api: stop_grace_period must be at least 30s/);
  });

  it('when FRONT_PORT is not a port', async () => {
    const env = envVariant((lines) => [...lines, 'FRONT_PORT=eighty']);
    const problems = await composeProblems(parse(COMPOSE_TEXT), env);
    expect(problems.join('\n')).toMatch(/docker-compose config: .*port/i);
  });
});
