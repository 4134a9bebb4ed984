// The publishing side: the images workflow (platforms, SBOM, provenance, scan gate, keyless
// signature) and the Renovate config that keeps base images and packages current.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IMAGE_NAMES } from '../k8s/src/contract.ts';
import { readRepoFile } from './support/repo.ts';
import { matrixBuilds, type Workflow, workflowProblems } from './support/workflow-rules.ts';

const WORKFLOW_TEXT = readRepoFile('.github/workflows/images.yml');
const workflow = () => parse(WORKFLOW_TEXT) as Workflow;

describe('.github/workflows/images.yml', () => {
  it('builds both platforms with SBOM and provenance, gates on a Trivy scan and signs with cosign', () => {
    expect(workflowProblems(workflow())).toEqual([]);
  });

  it('builds the contract images exactly as docker-compose.yml does', () => {
    const compose = parse(readRepoFile('docker-compose.yml')) as {
      services: Record<string, { image: string; build: { context: string; dockerfile: string } }>;
    };
    const asCompose = ['api', 'front'].map((service) => {
      const { image, build } = compose.services[service] ?? {
        image: '',
        build: { context: '', dockerfile: '' },
      };
      const context = build.context === '.' ? '.' : build.context;
      const dockerfile = context === '.' ? build.dockerfile : `${context}/${build.dockerfile}`;
      return { image: image.split(':')[0], context, dockerfile };
    });
    expect(matrixBuilds(workflow())).toEqual(asCompose);
    expect(asCompose.map((build) => build.image)).toEqual([IMAGE_NAMES.api, IMAGE_NAMES.front]);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: the workflow is plain YAML being broken on purpose.
type AnyWorkflow = any;
const stepUsing = (w: AnyWorkflow, prefix: string, index = 0) =>
  w.jobs.image.steps.filter((s: { uses?: string }) => s.uses?.startsWith(prefix))[index];
const signStep = (w: AnyWorkflow) =>
  w.jobs.image.steps.find((s: { run?: string }) => s.run?.includes('cosign sign'));

const BROKEN_WORKFLOWS: { name: string; change: (w: AnyWorkflow) => void; expected: RegExp }[] = [
  {
    name: 'arm64 is dropped',
    change: (w) => {
      stepUsing(w, 'docker/build-push-action@', 1).with.platforms = 'linux/amd64';
    },
    expected: /no build for linux\/amd64 and linux\/arm64/,
  },
  {
    name: 'the SBOM is off',
    change: (w) => {
      stepUsing(w, 'docker/build-push-action@', 1).with.sbom = false;
    },
    expected: /SBOM/,
  },
  {
    name: 'provenance is off',
    change: (w) => {
      stepUsing(w, 'docker/build-push-action@', 1).with.provenance = false;
    },
    expected: /provenance/,
  },
  {
    name: 'the scan only reports',
    change: (w) => {
      stepUsing(w, 'aquasecurity/trivy-action@').with['exit-code'] = '0';
    },
    expected: /exit-code 1/,
  },
  {
    name: 'the scan ignores HIGH',
    change: (w) => {
      stepUsing(w, 'aquasecurity/trivy-action@').with.severity = 'CRITICAL';
    },
    expected: /CRITICAL and HIGH/,
  },
  {
    name: 'the scan comes after the push',
    change: (w) => {
      w.jobs.image.steps = w.jobs.image.steps.filter(
        (s: { name?: string }) => !s.name?.startsWith('Scan ('),
      );
    },
    expected: /scanned before the build that pushes it/,
  },
  {
    name: 'signing uses a key',
    change: (w) => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell variables, not JavaScript
      signStep(w).run = 'cosign sign --yes --key cosign.key "${REF}@${DIGEST}"';
    },
    expected: /keylessly/,
  },
  {
    name: 'signing names a tag',
    change: (w) => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell variables, not JavaScript
      signStep(w).run = 'cosign sign --yes "${REF}:main"';
    },
    expected: /pushed digest/,
  },
  {
    name: 'the OIDC token is not granted',
    change: (w) => {
      delete w.jobs.image.permissions['id-token'];
    },
    expected: /id-token: write/,
  },
  {
    name: 'an action follows a branch',
    change: (w) => {
      stepUsing(w, 'aquasecurity/trivy-action@').uses = 'aquasecurity/trivy-action@master';
    },
    expected: /trivy-action@master: pin/,
  },
  {
    name: 'pull requests are not checked',
    change: (w) => {
      delete w.on.pull_request;
    },
    expected: /pull_request/,
  },
];

describe('the workflow checks reject a broken workflow', () => {
  it.each(BROKEN_WORKFLOWS)('when $name', ({ change, expected }) => {
    const broken = workflow() as AnyWorkflow;
    change(broken);
    expect(workflowProblems(broken).join('\n')).toMatch(expected);
  });
});

describe('.github/renovate.json', () => {
  const config = JSON.parse(readRepoFile('.github/renovate.json')) as {
    extends: string[];
    packageRules: { matchPackageNames?: string[]; allowedVersions?: string }[];
  };

  it('pins base images by digest and actions by commit SHA', () => {
    expect(config.extends).toEqual(
      expect.arrayContaining(['docker:pinDigests', 'helpers:pinGitHubActionDigests']),
    );
  });

  it('keeps MySQL on the 8.4 LTS series and Node on LTS majors', () => {
    const allowed = (name: string) =>
      config.packageRules.find((rule) => rule.matchPackageNames?.includes(name))?.allowedVersions ??
      '';
    const matches = (name: string, version: string) =>
      new RegExp(allowed(name).slice(1, -1)).test(version);
    expect([matches('mysql', '8.4.9'), matches('mysql', '9.1.0')]).toEqual([true, false]);
    expect([matches('node', '26.1-alpine3.23'), matches('node', '25.6-alpine3.23')]).toEqual([
      true,
      false,
    ]);
  });
});
