// front/httpd.conf read as text and parsed by apache2 itself: the parts that only the image
// exercises (its defaults, its modules) cannot run here, so they are checked statically.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APACHE_BINARY, prepareServerRoot } from './support/apache-server.ts';
import { FRONT_DIR, HTTPD_CONF } from './support/paths.ts';

const config = readFileSync(HTTPD_CONF, 'utf8');
const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
let serverRoot: ReturnType<typeof prepareServerRoot>;

/** apache2's own reading of the config, with only the document root moved (the image's does not exist here). */
function dumpRunConfig(): string {
  const result = spawnSync(
    APACHE_BINARY,
    [
      '-t',
      '-D',
      'DUMP_RUN_CFG',
      '-f',
      HTTPD_CONF,
      '-d',
      serverRoot.root,
      '-C',
      `Define DOCUMENT_ROOT ${FRONT_DIR}`,
    ],
    { encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

/** The value `<IfDefine !NAME> Define NAME value </IfDefine>` gives NAME when nobody defines it. */
function defaultOf(name: string): string | undefined {
  const block = new RegExp(`<IfDefine !${name}>([\\s\\S]*?)</IfDefine>`).exec(config)?.[1] ?? '';
  return new RegExp(`^\\s*Define ${name} (\\S+)\\s*$`, 'm').exec(block)?.[1];
}

beforeAll(() => {
  serverRoot = prepareServerRoot(undefined);
});

afterAll(() => {
  if (serverRoot) rmSync(serverRoot.root, { recursive: true, force: true });
});

describe('front/httpd.conf', () => {
  it('has no ServerRoot line, which would override the -d the tests pass', () => {
    expect(config).not.toMatch(/^\s*ServerRoot\b/im);
  });

  it('parses, and by default listens on 8080, keeps its pid file in /tmp and proxies to http://api:8000', () => {
    const dump = dumpRunConfig();
    expect(dump).toContain('Define: LISTEN=8080');
    expect(dump).toContain('Define: API_URL=http://api:8000');
    expect(dump).toContain('PidFile: "/tmp/httpd.pid"');
    expect(dump).toMatch(/Mutex default: dir="\/tmp\/?"/);
  });

  it("serves the image's document root by default, where the Dockerfile copies the page", () => {
    const documentRoot = defaultOf('DOCUMENT_ROOT');
    expect(documentRoot).toBe('/usr/local/apache2/htdocs');
    expect(dockerfile).toMatch(
      new RegExp(`^COPY index\\.html script\\.js style\\.css ${documentRoot}/$`, 'm'),
    );
  });

  it('loads the modules Debian compiles in only when they are missing (the image ships them as files)', () => {
    for (const module of ['log_config', 'unixd']) {
      expect(config).toMatch(
        new RegExp(
          `<IfModule !${module}_module>\\s*LoadModule ${module}_module modules/mod_${module}\\.so\\s*</IfModule>`,
        ),
      );
    }
  });

  it('loads every module from modules/, relative to the ServerRoot, never from an absolute path', () => {
    const loads = [...config.matchAll(/^\s*LoadModule\s+\S+\s+(\S+)/gm)].map((match) => match[1]);
    expect(loads.length).toBeGreaterThan(0);
    for (const path of loads) expect(path).toMatch(/^modules\/mod_\w+\.so$/);
  });

  it('logs to stdout and stderr, so nothing is written on the read-only filesystem', () => {
    expect(config).toMatch(/^ErrorLog \/proc\/self\/fd\/2$/m);
    expect(config).toMatch(/^CustomLog \/proc\/self\/fd\/1 json$/m);
    const dump = dumpRunConfig();
    expect(dump).toContain('Main ErrorLog: "/proc/self/fd/2"');
  });
});
