// What the images workflow must do for the users who publish images: both platforms with SBOM and
// provenance, a scan that fails on critical/high before anything is pushed, keyless signing.

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface Workflow {
  on?: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs?: Record<
    string,
    {
      permissions?: Record<string, string>;
      strategy?: { matrix?: { include?: Record<string, string>[] } };
      steps?: Step[];
    }
  >;
}

export interface ImageBuild {
  image: string;
  context: string;
  dockerfile: string;
}

const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const SCAN_SEVERITIES = ['CRITICAL', 'HIGH'];
// A tag (v5, 0.35.0) or a full commit SHA; never a branch, which anyone with push rights can move.
const PINNED_REF = /@(?:v?\d+(?:\.\d+)*|[0-9a-f]{40})$/;

/** The images the workflow's matrix builds. */
export function matrixBuilds(workflow: Workflow): ImageBuild[] {
  return Object.values(workflow.jobs ?? {}).flatMap((job) =>
    (job.strategy?.matrix?.include ?? []).map(({ image = '', context = '', dockerfile = '' }) => ({
      image,
      context,
      dockerfile,
    })),
  );
}

const list = (value: unknown) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export function workflowProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  if (!workflow.on || !('push' in workflow.on) || !('pull_request' in workflow.on)) {
    problems.push('must run on push (publish) and on pull_request (build and scan)');
  }
  const jobs = Object.entries(workflow.jobs ?? {});
  const steps = jobs.flatMap(([, job]) => job.steps ?? []);
  for (const step of steps) {
    if (step.uses && !PINNED_REF.test(step.uses))
      problems.push(`${step.uses}: pin a version tag or a commit SHA`);
  }

  const builds = steps.filter((step) => step.uses?.startsWith('docker/build-push-action@'));
  const publishing = builds.find((step) =>
    PLATFORMS.every((p) => list(step.with?.platforms).includes(p)),
  );
  if (!publishing) problems.push(`no build for ${PLATFORMS.join(' and ')}`);
  else {
    if (String(publishing.with?.sbom) !== 'true')
      problems.push('the multi-platform build must attach an SBOM (sbom: true)');
    if (!/^(?:true|mode=max|mode=min)$/.test(String(publishing.with?.provenance))) {
      problems.push('the multi-platform build must attach provenance');
    }
  }

  const scans = steps.filter((step) => step.uses?.startsWith('aquasecurity/trivy-action@'));
  const gating = scans.filter(
    (scan) =>
      String(scan.with?.['exit-code']) === '1' &&
      SCAN_SEVERITIES.every((severity) => list(scan.with?.severity).includes(severity)),
  );
  if (gating.length !== scans.length || !scans.length) {
    problems.push('every Trivy scan must fail the job (exit-code 1) on CRITICAL and HIGH');
  }
  const firstScan = steps.findIndex((step) => scans.includes(step));
  if (publishing && (firstScan < 0 || firstScan > steps.indexOf(publishing))) {
    problems.push('an image must be scanned before the build that pushes it');
  }

  const signIndex = steps.findIndex((step) => /\bcosign sign\b/.test(step.run ?? ''));
  const sign = steps[signIndex];
  if (!sign) problems.push('no cosign sign step');
  else {
    if (!/--yes/.test(sign.run ?? '') || /--key\b/.test(sign.run ?? ''))
      problems.push('cosign must sign keylessly (--yes, no --key)');
    if (!/@\$\{?DIGEST\}?/.test(sign.run ?? '') || !/digest/.test(JSON.stringify(sign.env ?? {}))) {
      problems.push('cosign must sign the pushed digest, not a tag');
    }
    if (signIndex < Math.max(...scans.map((scan) => steps.indexOf(scan))))
      problems.push('sign only after every scan passed');
  }
  for (const [name, job] of jobs) {
    if ((job.permissions ?? workflow.permissions)?.['id-token'] !== 'write') {
      problems.push(`job ${name}: needs id-token: write for keyless signing`);
    }
  }
  return problems;
}
