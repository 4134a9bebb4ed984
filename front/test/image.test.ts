// front/Dockerfile and front/.dockerignore: no Docker engine here, so they are read and linted.
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { baseImages } from '../../test/support/dockerfile-rules.ts';

const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
const dockerignore = readFileSync(new URL('../.dockerignore', import.meta.url), 'utf8');
const httpdConf = readFileSync(new URL('../httpd.conf', import.meta.url), 'utf8');
const indexHtml = readFileSync(new URL('../index.html', import.meta.url), 'utf8');

/** Each instruction once, continuation lines joined and comments dropped. */
function instructions(): Array<{ keyword: string; args: string }> {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function argsOf(keyword: string): string[] {
  return instructions()
    .filter((instruction) => instruction.keyword === keyword)
    .map((instruction) => instruction.args);
}

/** Sources of every COPY (the last word is the destination). */
function copiedFiles(): string[] {
  return argsOf('COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
}

/** Local files the page asks for (script and style sheet). */
function filesThePageLoads(): string[] {
  return [...indexHtml.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^":]+)"/g)].map(
    (match) => match[1] as string,
  );
}

describe('front/Dockerfile', () => {
  it('lints clean', () => {
    expect(validate(dockerfile).map((problem) => problem.message)).toEqual([]);
  });

  it('builds FROM httpd:2.4-alpine, replaceable for a mirror with --build-arg HTTPD_IMAGE', () => {
    expect(baseImages(dockerfile)).toEqual(['httpd:2.4-alpine']);
    expect(argsOf('FROM')).toEqual([`${'${'}HTTPD_IMAGE}`]);
  });

  it('runs as www-data by number (uid and gid 82), so Kubernetes can verify it is not root', () => {
    expect(argsOf('USER')).toEqual(['82:82']);
  });

  it('exposes 8080, the port httpd.conf listens on by default', () => {
    expect(argsOf('EXPOSE')).toEqual(['8080']);
    expect(httpdConf).toMatch(/^\s*Define LISTEN 8080$/m);
  });

  it('checks its health by fetching the page with busybox wget', () => {
    const [healthcheck] = argsOf('HEALTHCHECK');
    expect(healthcheck).toMatch(
      /CMD \["wget", "-q", "-O", "\/dev\/null", "http:\/\/127\.0\.0\.1:8080\/"\]$/,
    );
  });

  it('starts httpd directly, not through httpd-foreground, whose rm fails on a read-only root', () => {
    expect(argsOf('CMD')).toEqual(['["httpd", "-DFOREGROUND"]']);
  });

  it('copies httpd.conf over the image config and every file the page loads', () => {
    expect(argsOf('COPY')).toContain('httpd.conf /usr/local/apache2/conf/httpd.conf');
    expect(filesThePageLoads().sort()).toEqual(['script.js', 'style.css']);
    for (const file of ['index.html', ...filesThePageLoads()])
      expect(copiedFiles()).toContain(file);
  });

  it("copies exactly the files httpd.conf's allow-list serves", () => {
    const allowList = /<LocationMatch "\^\/\(([^)]*)\)\?\$">/.exec(httpdConf)?.[1] ?? '';
    const served = allowList.split('|').map((pattern) => pattern.replace(/\\\./g, '.'));
    expect(served.sort()).toEqual(
      copiedFiles()
        .filter((file) => file !== 'httpd.conf')
        .sort(),
    );
  });
});

describe('front/.dockerignore', () => {
  it('lets into the build context exactly the files the Dockerfile copies', () => {
    const rules = dockerignore
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    const allowed = rules.slice(1).map((rule) => rule.replace(/^!/, ''));
    expect(rules.slice(1).every((rule) => rule.startsWith('!'))).toBe(true);
    expect(allowed.sort()).toEqual(copiedFiles().sort());
  });
});
