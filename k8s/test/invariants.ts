// Checks the Kubernetes schemas cannot express, run on synthesized output. Each returns a list of
// problems (empty when the objects are sound), so tests can show exactly what is wrong and can
// prove each check fails on a broken object.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';

export type K8sObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
};

/** A pod template with the object that owns it. */
export interface Workload {
  owner: string;
  kind: string;
  template: IPodTemplateSpec;
  claimTemplates: string[];
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
/** Workloads whose containers run until stopped, and so need probes; a Job's run to completion. */
const LONG_RUNNING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX_LABEL_LENGTH = 63;
const MAX_SUBDOMAIN_LENGTH = 253;
const MAX_PORT_NAME_LENGTH = 15;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function describe(object: K8sObject): string {
  return `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Paths of every null (YAML `~`/`null`) in the objects: cdk8s writes one for a mistyped value. */
export function findNulls(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value === null) {
      problems.push(`${path} is null`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        walk(item, `${path}[${index}]`);
      });
    } else if (typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
    }
  };
  for (const object of objects) walk(object, describe(object));
  return problems;
}

/** Deployments, StatefulSets and the like, with their pod templates. */
export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((object) => WORKLOAD_KINDS.includes(object.kind ?? ''))
    .map((object) => {
      // A CronJob's pod template sits one level down, in its Job template.
      const spec =
        object.kind === 'CronJob'
          ? record(record(record(object.spec).jobTemplate).spec)
          : record(object.spec);
      const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
      return {
        owner: describe(object),
        kind: object.kind ?? '',
        template: record(spec.template) as IPodTemplateSpec,
        claimTemplates: claims.map((claim) => String(record(record(claim).metadata).name)),
      };
    });
}

function podSpec(workload: Workload): IPodSpec {
  return workload.template.spec ?? ({ containers: [] } as IPodSpec);
}

function allContainers(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined) {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

function probePort(probe: IProbe | undefined): number | string | undefined {
  const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
  return port as number | string | undefined;
}

function hasPort(containers: IContainer[], port: number | string): boolean {
  return containers.some((container) =>
    (container.ports ?? []).some((declared) =>
      typeof port === 'number' ? declared.containerPort === port : declared.name === port,
    ),
  );
}

/** Each Service targetPort and each probe port is a port a container declares. */
export function portProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  for (const workload of all) {
    for (const container of allContainers(podSpec(workload))) {
      for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        const port = probePort(container[kind]);
        if (port !== undefined && !hasPort([container], port)) {
          problems.push(`${workload.owner} ${container.name} ${kind} port ${port} is not declared`);
        }
      }
    }
  }
  for (const service of objects.filter((object) => object.kind === 'Service')) {
    const spec = record(service.spec);
    const selector = record(spec.selector) as Record<string, string>;
    const targets = all.filter((workload) => matches(selector, workload.template.metadata?.labels));
    for (const port of (spec.ports ?? []) as { port: number; targetPort?: number | string }[]) {
      const target = port.targetPort ?? port.port;
      const served = targets.some((workload) => hasPort(podSpec(workload).containers, target));
      if (!served) {
        problems.push(`${describe(service)} targetPort ${target} is not a container port`);
      }
    }
  }
  return problems;
}

/** Each volumeMount has a volume or a claim template; each ConfigMap volume exists here. */
export function volumeProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const configMaps = new Set(
    objects.filter((object) => object.kind === 'ConfigMap').map((object) => object.metadata?.name),
  );
  for (const workload of workloads(objects)) {
    const spec = podSpec(workload);
    const volumes = new Set([
      ...(spec.volumes ?? []).map((volume) => volume.name),
      ...workload.claimTemplates,
    ]);
    for (const container of allContainers(spec)) {
      for (const mount of container.volumeMounts ?? []) {
        if (!volumes.has(mount.name)) {
          problems.push(
            `${workload.owner} ${container.name} mounts ${mount.name}, which is not a volume`,
          );
        }
      }
      for (const source of container.envFrom ?? []) {
        const name = source.configMapRef?.name;
        if (name !== undefined && !configMaps.has(name)) {
          problems.push(
            `${workload.owner} ${container.name} reads ConfigMap ${name}, which is missing`,
          );
        }
      }
    }
    for (const volume of spec.volumes ?? []) {
      const name = volume.configMap?.name;
      if (name !== undefined && !configMaps.has(name)) {
        problems.push(
          `${workload.owner} volume ${volume.name} uses ConfigMap ${name}, which is missing`,
        );
      }
    }
  }
  return problems;
}

function dnsProblem(kind: string, name: string, label: boolean): string | undefined {
  const pattern = label ? DNS_1123_LABEL : DNS_1123_SUBDOMAIN;
  const limit = label ? MAX_LABEL_LENGTH : MAX_SUBDOMAIN_LENGTH;
  if (!pattern.test(name) || name.length > limit) {
    return `${kind} name "${name}" is not a DNS-1123 ${label ? 'label' : 'subdomain'}`;
  }
  return undefined;
}

/** Object, container, volume and port names follow the DNS rules the API server enforces. */
export function nameProblems(objects: K8sObject[]): string[] {
  const problems: (string | undefined)[] = [];
  for (const object of objects) {
    const name = object.metadata?.name ?? '';
    const kind = object.kind ?? '?';
    if (kind === 'Service' || kind === 'Namespace') {
      if (!DNS_1035_LABEL.test(name) || name.length > MAX_LABEL_LENGTH) {
        problems.push(`${kind} name "${name}" is not a DNS-1035 label`);
      }
    } else {
      problems.push(dnsProblem(kind, name, false));
    }
    if (object.metadata?.namespace !== undefined) {
      problems.push(dnsProblem('namespace', object.metadata.namespace, true));
    }
  }
  for (const workload of workloads(objects)) {
    const spec = podSpec(workload);
    for (const volume of spec.volumes ?? []) problems.push(dnsProblem('volume', volume.name, true));
    for (const container of allContainers(spec)) {
      problems.push(dnsProblem('container', container.name, true));
      for (const port of container.ports ?? []) {
        const portName = port.name;
        if (
          portName !== undefined &&
          (!PORT_NAME.test(portName) ||
            portName.length > MAX_PORT_NAME_LENGTH ||
            !/[a-z]/.test(portName))
        ) {
          problems.push(`${workload.owner} port name "${portName}" is not an IANA service name`);
        }
      }
    }
  }
  return problems.filter((problem): problem is string => problem !== undefined);
}

/** Tag of an image reference, or undefined when it has none (which means `latest`). */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? image;
  const tagAt = withoutDigest.lastIndexOf(':');
  return tagAt > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(tagAt + 1) : undefined;
}

/**
 * Every container, init containers too: CPU and memory requests, a memory limit, a pinned image;
 * and all three probes on the containers of a long-running workload (an init container or a
 * Job's container runs to completion: the API server refuses probes on the first, and they would
 * mean nothing on the second).
 */
export function containerProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const workload of workloads(objects)) {
    const spec = podSpec(workload);
    const probed = LONG_RUNNING_KINDS.includes(workload.kind) ? spec.containers : [];
    for (const container of allContainers(spec)) {
      const where = `${workload.owner} ${container.name}`;
      const requests = record(container.resources?.requests);
      const limits = record(container.resources?.limits);
      if (requests.cpu === undefined) problems.push(`${where} has no CPU request`);
      if (requests.memory === undefined) problems.push(`${where} has no memory request`);
      if (limits.memory === undefined) problems.push(`${where} has no memory limit`);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        if (probed.includes(container) && container[probe] === undefined) {
          problems.push(`${where} has no ${probe}`);
        }
      }
      const tag = imageTag(container.image ?? '');
      if (tag === undefined || tag === 'latest') {
        problems.push(`${where} image "${container.image}" is not pinned (latest)`);
      }
    }
  }
  return problems;
}

// Pod Security Standards, "restricted" (which includes "baseline"), as of Kubernetes 1.30:
// https://kubernetes.io/docs/concepts/security/pod-security-standards/
const RESTRICTED_VOLUME_TYPES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const ALLOWED_SECCOMP = ['RuntimeDefault', 'Localhost'];

/** Violations of the "restricted" profile in one pod spec. */
export function restrictedProfileProblems(owner: string, spec: IPodSpec): string[] {
  const problems: string[] = [];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) {
    problems.push(`${owner} shares a host namespace`);
  }
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    if (!types.every((type) => RESTRICTED_VOLUME_TYPES.includes(type))) {
      problems.push(`${owner} volume ${volume.name} has a forbidden type (${types.join(', ')})`);
    }
  }
  const pod = spec.securityContext ?? {};
  if (pod.runAsUser === 0) problems.push(`${owner} runs as root (pod runAsUser 0)`);
  for (const container of allContainers(spec)) {
    const where = `${owner} ${container.name}`;
    const context = container.securityContext ?? {};
    if (context.privileged) problems.push(`${where} is privileged`);
    if (context.allowPrivilegeEscalation !== false) {
      problems.push(`${where} does not set allowPrivilegeEscalation: false`);
    }
    if ((context.runAsNonRoot ?? pod.runAsNonRoot) !== true) {
      problems.push(`${where} does not set runAsNonRoot: true`);
    }
    if (context.runAsUser === 0) problems.push(`${where} runs as root (runAsUser 0)`);
    const seccomp = context.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp === undefined || !ALLOWED_SECCOMP.includes(seccomp)) {
      problems.push(`${where} has no RuntimeDefault or Localhost seccomp profile`);
    }
    const capabilities = context.capabilities ?? {};
    if (!(capabilities.drop ?? []).includes('ALL')) {
      problems.push(`${where} does not drop ALL capabilities`);
    }
    const added = (capabilities.add ?? []).filter(
      (capability) => capability !== 'NET_BIND_SERVICE',
    );
    if (added.length > 0) problems.push(`${where} adds capabilities ${added.join(', ')}`);
    if ((container.ports ?? []).some((port) => port.hostPort !== undefined)) {
      problems.push(`${where} uses a hostPort`);
    }
  }
  return problems;
}

export function podSecurityProblems(objects: K8sObject[]): string[] {
  return workloads(objects).flatMap((workload) =>
    restrictedProfileProblems(workload.owner, podSpec(workload)),
  );
}

/** Names of the env vars a container gets: `env` entries plus keys of envFrom ConfigMaps/Secrets. */
export function containerEnvNames(container: IContainer, objects: K8sObject[]): string[] {
  const fromSources = (container.envFrom ?? []).flatMap((source) => {
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const name = source.configMapRef?.name ?? source.secretRef?.name;
    const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
    const data = { ...record(found?.data), ...record(found?.stringData) };
    return Object.keys(data).map((key) => `${source.prefix ?? ''}${key}`);
  });
  return [...(container.env ?? []).map((variable) => variable.name), ...fromSources].sort();
}
