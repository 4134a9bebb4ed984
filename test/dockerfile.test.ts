// The Dockerfiles: dockerfile-utils' lint with every check on, and the production-image
// invariants docs/containers.md lists, plus proof that each invariant catches its broken variant.
import { describe, expect, it } from 'vitest';
import { PORTS } from '../k8s/src/contract.ts';
import { type ImageExpectations, imageProblems, lintProblems } from './support/dockerfile-rules.ts';
import { readRepoFile } from './support/repo.ts';

const API_IMAGE: ImageExpectations = {
  port: PORTS.api,
  minimumStages: 3,
  command: 'node',
  requireHealthcheck: true,
};
// The front image: the same rules, without build stages (httpd serves three static files).
const FRONT_IMAGE: ImageExpectations = {
  port: PORTS.front,
  minimumStages: 1,
  command: 'httpd',
  requireHealthcheck: true,
};

const API_DOCKERFILE = readRepoFile('api/Dockerfile');
const FRONT_DOCKERFILE = readRepoFile('front/Dockerfile');

describe.each([
  { path: 'api/Dockerfile', text: API_DOCKERFILE, image: API_IMAGE },
  { path: 'front/Dockerfile', text: FRONT_DOCKERFILE, image: FRONT_IMAGE },
])('$path', ({ text, image }) => {
  it('passes dockerfile-utils lint with no finding at all', () => {
    expect(lintProblems(text)).toEqual([]);
  });

  it(`has ${image.minimumStages}+ stages, a pinned base, a non-root USER, an exec-form ${image.command} CMD, a HEALTHCHECK, EXPOSE ${image.port}`, () => {
    expect(imageProblems(text, image)).toEqual([]);
  });
});

describe('api/Dockerfile', () => {
  it('installs from the manifests before copying sources, so code edits reuse the install layer', () => {
    const install = API_DOCKERFILE.indexOf('npm ci');
    expect(install).toBeGreaterThan(API_DOCKERFILE.indexOf('COPY api/package.json'));
    expect(install).toBeLessThan(API_DOCKERFILE.indexOf('COPY api/src'));
  });

  it('installs production dependencies only for the runtime stage', () => {
    expect(API_DOCKERFILE).toMatch(/npm ci [^\n]*--omit=dev/);
  });
});

describe('front/Dockerfile', () => {
  it('is refused when it runs as root or drops its HEALTHCHECK', () => {
    const asRoot = FRONT_DOCKERFILE.replace(/^USER \S+$/m, 'USER 0');
    const unchecked = FRONT_DOCKERFILE.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, '');
    expect(imageProblems(asRoot, FRONT_IMAGE).join('\n')).toMatch(/USER 0 is root/);
    expect(imageProblems(unchecked, FRONT_IMAGE).join('\n')).toMatch(/needs a HEALTHCHECK/);
  });
});

const BROKEN_DOCKERFILES: { name: string; change: (text: string) => string; expected: RegExp }[] = [
  {
    name: 'the runtime stage has no USER',
    change: (t) => t.replace(/^USER node\n/m, ''),
    expected: /needs a USER/,
  },
  {
    name: 'the runtime stage runs as root',
    change: (t) => t.replace(/^USER node$/m, 'USER root'),
    expected: /USER root is root/,
  },
  {
    name: 'CMD is in shell form (sh would be PID 1 and swallow SIGTERM)',
    change: (t) => t.replace(/^CMD \[.*\]$/m, 'CMD node dist/main.js'),
    expected: /CMD must be exec form/,
  },
  {
    name: 'CMD starts npm instead of node',
    change: (t) => t.replace(/^CMD \[.*\]$/m, 'CMD ["npm", "start"]'),
    expected: /CMD must start node directly/,
  },
  {
    name: 'there is no HEALTHCHECK',
    change: (t) => t.replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ''),
    expected: /needs a HEALTHCHECK/,
  },
  {
    name: 'the HEALTHCHECK needs curl',
    change: (t) =>
      t.replace(/CMD \["node", "-e", .*\]$/m, 'CMD ["curl", "-f", "http://127.0.0.1:8000/status"]'),
    expected: /must not need curl/,
  },
  {
    name: 'the wrong port is exposed',
    change: (t) => t.replace(/^EXPOSE 8000$/m, 'EXPOSE 3000'),
    expected: /must EXPOSE 8000/,
  },
  {
    name: 'the base image is :latest',
    change: (t) => t.replace(/^ARG NODE_IMAGE=\S+$/m, 'ARG NODE_IMAGE=node:latest'),
    expected: /never :latest/,
  },
  {
    name: 'the base image has no tag',
    change: (t) => t.replace(/^ARG NODE_IMAGE=\S+$/m, 'ARG NODE_IMAGE=node'),
    expected: /pin a tag/,
  },
  {
    name: 'the base image ARG has no default, so a plain build fails',
    change: (t) => t.replace(/^ARG NODE_IMAGE=\S+$/m, 'ARG NODE_IMAGE'),
    expected: /give the ARG a default/,
  },
  {
    name: 'a syntax directive makes the build fetch its frontend from a registry',
    change: (t) => `# syntax=docker/dockerfile:1\n${t}`,
    expected: /no `# syntax=` directive/,
  },
  {
    name: 'everything happens in one stage',
    change: () =>
      'FROM node:24.13-alpine3.23\nWORKDIR /app\nCOPY . .\nRUN npm ci\nUSER node\nEXPOSE 8000\nHEALTHCHECK CMD ["node", "-e", "1"]\nCMD ["node", "dist/main.js"]\n',
    expected: /needs at least 3 stages[\s\S]*copies sources/,
  },
  {
    name: 'the runtime stage copies the sources',
    change: (t) =>
      t.replace(/^WORKDIR \/app\/api$/m, 'COPY api/src /app/api/src\nWORKDIR /app/api'),
    expected: /copies sources/,
  },
  {
    name: 'an ENTRYPOINT wraps the CMD',
    change: (t) => t.replace(/^USER node$/m, 'USER node\nENTRYPOINT ["/bin/sh", "-c"]'),
    expected: /no ENTRYPOINT/,
  },
];

describe('the Dockerfile checks reject a broken api/Dockerfile', () => {
  it.each(BROKEN_DOCKERFILES)('when $name', ({ change, expected }) => {
    const broken = change(API_DOCKERFILE);
    expect(broken).not.toBe(API_DOCKERFILE);
    expect(imageProblems(broken, API_IMAGE).join('\n')).toMatch(expected);
  });

  it('when the linter finds something (two CMDs, a lowercase instruction, a relative WORKDIR)', () => {
    const broken = `${API_DOCKERFILE}\nworkdir app\nCMD ["node", "other.js"]\n`;
    const problems = lintProblems(broken).join('\n');
    expect(problems).toMatch(/one CMD/);
    expect(problems).toMatch(/uppercase/i);
    expect(problems).toMatch(/absolute/i);
  });
});
