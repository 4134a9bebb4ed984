import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENVIRONMENT_NAMES } from '../src/config.ts';
import { PORTS, SERVICE_NAMES } from '../src/contract.ts';
import { renderedFile } from '../src/render.ts';
import { VARIANTS } from './fixtures.ts';
import { imageTag, workloads } from './invariants.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Artifact {
  image: string;
  context?: string;
  docker?: { dockerfile?: string };
}
interface Manifests {
  rawYaml: string[];
  hooks?: { before?: { host: { command: string[]; dir?: string } }[] };
}
interface PortForward {
  resourceType: string;
  resourceName: string;
  namespace: string;
  port: number;
  localPort: number;
}
interface SkaffoldConfig {
  apiVersion: string;
  kind: string;
  build: { artifacts: Artifact[] };
  manifests: Manifests;
  portForward: PortForward[];
  profiles: { name: string; manifests?: Manifests }[];
}

const skaffold = parse(readFileSync(join(REPO, 'skaffold.yaml'), 'utf8')) as SkaffoldConfig;
const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { image?: string; build?: { context: string; dockerfile?: string } }>;
};

// Images the manifests use that nobody builds here, and why.
const PULLED_IMAGES: Record<string, string> = {
  mysql: 'the official MySQL image, pulled as is',
};

function repository(image: string): string {
  const tag = imageTag(image);
  return tag === undefined ? image : image.slice(0, -(tag.length + 1));
}

function profileManifests(name: string): Manifests {
  const profile = skaffold.profiles.find((candidate) => candidate.name === name);
  if (profile?.manifests === undefined)
    throw new Error(`skaffold.yaml has no ${name} profile manifests`);
  return profile.manifests;
}

describe('skaffold.yaml', () => {
  it('uses a current skaffold/v4beta schema', () => {
    expect(skaffold.kind).toBe('Config');
    expect(skaffold.apiVersion).toMatch(/^skaffold\/v4beta(1[3-9]|[2-9]\d)$/);
  });

  it('builds exactly the images the manifests use, besides the pulled ones', () => {
    const artifacts = skaffold.build.artifacts.map((artifact) => artifact.image).sort();
    expect(artifacts).toEqual(['tristack-api', 'tristack-front']);
    for (const environment of ENVIRONMENT_NAMES) {
      const used = new Set(
        workloads(VARIANTS[environment] ?? []).flatMap((workload) =>
          (workload.template.spec?.containers ?? []).map((container) =>
            repository(container.image ?? ''),
          ),
        ),
      );
      expect([...used].filter((image) => !(image in PULLED_IMAGES)).sort()).toEqual(artifacts);
    }
  });

  it.each(['tristack-api', 'tristack-front'])(
    'builds %s from a Dockerfile that exists',
    (image) => {
      const artifact = skaffold.build.artifacts.find((candidate) => candidate.image === image);
      const context = artifact?.context ?? '.';
      const dockerfile = artifact?.docker?.dockerfile ?? 'Dockerfile';
      expect(existsSync(join(REPO, context, dockerfile)), join(context, dockerfile)).toBe(true);
    },
  );

  it.each(['tristack-api', 'tristack-front'])(
    'builds %s with the same context and Dockerfile as docker-compose.yml',
    (image) => {
      const artifact = skaffold.build.artifacts.find((candidate) => candidate.image === image);
      const service = Object.values(compose.services).find(
        (candidate) => candidate.image !== undefined && repository(candidate.image) === image,
      );
      expect(service?.build, `a compose service building ${image}`).toBeDefined();
      const normalize = (path: string) => path.replace(/^\.\//, '').replace(/\/$/, '') || '.';
      expect(normalize(artifact?.context ?? '.')).toBe(normalize(service?.build?.context ?? '.'));
      expect(artifact?.docker?.dockerfile ?? 'Dockerfile').toBe(
        service?.build?.dockerfile ?? 'Dockerfile',
      );
    },
  );

  it('port-forwards the front on 8080 and the API on 8000, from Services the manifests define', () => {
    expect(skaffold.portForward).toEqual([
      {
        resourceType: 'service',
        resourceName: SERVICE_NAMES.front,
        namespace: 'tristack',
        port: PORTS.front,
        localPort: PORTS.front,
      },
      {
        resourceType: 'service',
        resourceName: SERVICE_NAMES.api,
        namespace: 'tristack',
        port: PORTS.api,
        localPort: PORTS.api,
      },
    ]);
    for (const forward of skaffold.portForward) {
      const service = (VARIANTS.dev ?? []).find(
        (object) => object.kind === 'Service' && object.metadata?.name === forward.resourceName,
      ) as { metadata: { namespace: string }; spec: { ports: { port: number }[] } } | undefined;
      expect(service?.metadata.namespace).toBe(forward.namespace);
      expect(service?.spec.ports.map((port) => port.port)).toContain(forward.port);
    }
  });

  it('has a dev and a prod profile, and dev is also the default', () => {
    expect(skaffold.profiles.map((profile) => profile.name)).toEqual(['dev', 'prod']);
    expect(profileManifests('dev')).toEqual(skaffold.manifests);
  });

  it.each(ENVIRONMENT_NAMES)(
    'deploys the %s manifests from a file that exists on a fresh clone, refreshed by its render hook',
    (environment) => {
      const manifests = profileManifests(environment);
      expect(manifests.rawYaml).toEqual([`k8s/rendered/${environment}.k8s.yaml`]);
      const file = join(REPO, manifests.rawYaml[0] ?? '');
      expect(file).toBe(renderedFile(environment));
      expect(existsSync(file)).toBe(true);
      expect(manifests.hooks?.before).toEqual([
        { host: { command: ['npx', 'tsx', 'k8s/src/render.ts', environment], dir: '.' } },
      ]);
    },
  );
});
