// A workload's pod template, translated field by field into what a kubelet would hand the
// container runtime: users and groups, volumes, environment, command, probes, limits. Pure: it
// reads the rendered objects and returns a plan; pod.ts runs the plan on the engine.
import { checkFields, checkValue, NOT_MODELLED, UnsupportedFieldError } from './fields.ts';
import { findObject, type Rendered, selects } from './manifests.ts';
import { bytesOf, cpusOf } from './quantities.ts';

/** The mode the kubelet gives ConfigMap and Secret files when the volume names none. */
const DEFAULT_FILE_MODE = 0o644;

export interface ProjectedFile {
  /** Path inside the volume. */
  path: string;
  content: Buffer;
  mode: number;
}

export type VolumePlan =
  | { kind: 'emptyDir'; name: string; sizeLimitBytes: number | undefined }
  | { kind: 'files'; name: string; source: string; files: ProjectedFile[] }
  | {
      kind: 'claim';
      name: string;
      claimName: string;
      /** A StatefulSet's claim template: one claim per pod (`data-db-0`); else the named claim. */
      perPod: boolean;
    };

export interface MountPlan {
  volume: string;
  mountPath: string;
  readOnly: boolean;
}

export type ProbeAction =
  | { exec: string[] }
  | { httpGet: { path: string; port: number; headers: [string, string][] } }
  | { tcpSocket: { port: number } };

export interface ProbePlan {
  action: ProbeAction;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface ContainerPlan {
  name: string;
  image: string;
  /** Kubernetes `command` (replaces the image's ENTRYPOINT) and `args` (replace its CMD). */
  command: string[] | undefined;
  args: string[] | undefined;
  env: [string, string][];
  ports: { name: string | undefined; containerPort: number }[];
  mounts: MountPlan[];
  runAsUser: number | undefined;
  runAsGroup: number | undefined;
  runAsNonRoot: boolean;
  readOnlyRootFilesystem: boolean;
  allowPrivilegeEscalation: boolean;
  capabilitiesDrop: string[];
  capabilitiesAdd: string[];
  memoryLimitBytes: number | undefined;
  cpuLimit: number | undefined;
  probes: { startup?: ProbePlan; readiness?: ProbePlan; liveness?: ProbePlan };
  preStop: string[] | undefined;
}

export interface PodPlan {
  /** `Deployment/api`, `StatefulSet/db`. */
  workload: string;
  /** How many pods the workload (or its autoscaler's minimum) asks for. */
  replicas: number;
  labels: Record<string, string>;
  /** StatefulSet pods are `<name>-<ordinal>` and keep their claims; Deployment pods are anonymous. */
  stableIdentity: { serviceName: string } | undefined;
  /** Run one after the other, each to exit 0, before `containers` start (the kubelet's order). */
  initContainers: ContainerPlan[];
  containers: ContainerPlan[];
  volumes: VolumePlan[];
  fsGroup: number | undefined;
  /** When the kubelet walks a volume to give it the fsGroup (Kubernetes' default: Always). */
  fsGroupChangePolicy: 'OnRootMismatch' | 'Always';
  supplementalGroups: number[];
  terminationGracePeriodSeconds: number;
}

// biome-ignore lint/suspicious/noExplicitAny: rendered JSON, read field by field below
type Json = any;

const KUBERNETES_DEFAULT_GRACE_SECONDS = 30;

/** The pod plan of WORKLOAD (`Deployment/api`), read from the rendered objects. */
export function podPlan(rendered: Rendered, workload: string): PodPlan {
  const [kind = '', name = ''] = workload.split('/');
  const object = findObject(rendered, kind, name) as Json;
  checkValue(kind, `${workload}: kind`, ['Deployment', 'StatefulSet', 'CronJob']);
  checkFields(object, workload, {
    apiVersion: 'model',
    kind: 'model',
    metadata: NOT_MODELLED.controllers,
    spec: 'model',
  });
  // A CronJob's pod is its Job template's: the test runs one, as the controller would at a slot.
  const path = kind === 'CronJob' ? `${workload}: spec.jobTemplate.spec` : `${workload}: spec`;
  const spec = kind === 'CronJob' ? cronJobTemplate(object, workload) : object.spec;
  if (kind === 'Deployment') {
    checkFields(spec, path, {
      selector: 'model',
      replicas: 'model',
      strategy: NOT_MODELLED.rollout,
      minReadySeconds: NOT_MODELLED.rollout,
      progressDeadlineSeconds: NOT_MODELLED.rollout,
      template: 'model',
    });
  } else if (kind === 'StatefulSet') {
    checkFields(spec, path, {
      selector: 'model',
      replicas: 'model',
      serviceName: 'model',
      template: 'model',
      volumeClaimTemplates: 'model',
      persistentVolumeClaimRetentionPolicy: {
        notModelled: 'the tests keep or remove the claim volume themselves',
      },
      updateStrategy: NOT_MODELLED.rollout,
      podManagementPolicy: NOT_MODELLED.rollout,
    });
  } else {
    checkFields(spec, path, {
      template: 'model',
      backoffLimit: NOT_MODELLED.jobs,
      activeDeadlineSeconds: NOT_MODELLED.jobs,
      ttlSecondsAfterFinished: NOT_MODELLED.jobs,
    });
  }
  const labels: Record<string, string> = spec.template?.metadata?.labels ?? {};
  if (kind !== 'CronJob' && !selects(spec.selector?.matchLabels, labels)) {
    throw new UnsupportedFieldError(`${path}.selector: does not select the template's labels`);
  }
  checkFields(spec.selector, `${path}.selector`, { matchLabels: 'model' });
  checkFields(spec.template, `${path}.template`, { metadata: 'model', spec: 'model' });
  checkFields(spec.template.metadata, `${path}.template.metadata`, {
    labels: 'model',
    annotations: NOT_MODELLED.controllers,
  });

  const pod = spec.template.spec;
  const podPath = `${path}.template.spec`;
  checkFields(pod, podPath, {
    automountServiceAccountToken: 'model',
    serviceAccountName: NOT_MODELLED.identity,
    initContainers: 'model',
    containers: 'model',
    securityContext: 'model',
    terminationGracePeriodSeconds: 'model',
    topologySpreadConstraints: NOT_MODELLED.scheduling,
    affinity: NOT_MODELLED.scheduling,
    nodeSelector: NOT_MODELLED.scheduling,
    tolerations: NOT_MODELLED.scheduling,
    volumes: 'model',
    // cdk8s-plus writes these out with the API server's defaults, the only values modelled here.
    restartPolicy: 'model',
    dnsPolicy: 'model',
    hostNetwork: 'model',
    setHostnameAsFQDN: 'model',
  });
  // A Job's pod runs to completion; the harness runs it once and never restarts it.
  for (const [field, value] of [
    ['restartPolicy', kind === 'CronJob' ? 'Never' : 'Always'],
    ['dnsPolicy', 'ClusterFirst'],
    ['hostNetwork', false],
    ['setHostnameAsFQDN', false],
  ] as const) {
    if (pod[field] !== undefined) checkValue(pod[field], `${podPath}.${field}`, [value]);
  }
  if (pod.automountServiceAccountToken !== false) {
    throw new UnsupportedFieldError(
      `${podPath}.automountServiceAccountToken: a mounted API token cannot be modelled (no API server); set it to false`,
    );
  }
  const security = pod.securityContext ?? {};
  checkFields(security, `${podPath}.securityContext`, {
    runAsUser: 'model',
    runAsGroup: 'model',
    runAsNonRoot: 'model',
    fsGroup: 'model',
    fsGroupChangePolicy: 'model',
    supplementalGroups: 'model',
    seccompProfile: 'model',
  });
  if (security.seccompProfile) {
    checkFields(security.seccompProfile, `${podPath}.securityContext.seccompProfile`, {
      type: 'model',
    });
    // The engine's default profile is what RuntimeDefault means under Docker.
    checkValue(security.seccompProfile.type, `${podPath}.securityContext.seccompProfile.type`, [
      'RuntimeDefault',
    ]);
  }
  if (security.fsGroupChangePolicy !== undefined) {
    checkValue(security.fsGroupChangePolicy, `${podPath}.securityContext.fsGroupChangePolicy`, [
      'OnRootMismatch',
      'Always',
    ]);
  }

  const volumes: VolumePlan[] = (pod.volumes ?? []).map((volume: Json, index: number) =>
    volumePlan(rendered, volume, `${podPath}.volumes[${index}]`),
  );
  for (const claim of spec.volumeClaimTemplates ?? []) {
    checkFields(claim, `${path}.volumeClaimTemplates`, {
      metadata: 'model',
      spec: { notModelled: 'size, class and access modes: the engine has one local volume driver' },
    });
    volumes.push({
      kind: 'claim',
      name: claim.metadata.name,
      claimName: claim.metadata.name,
      perPod: true,
    });
  }
  const volumeNames = new Set<string>(volumes.map((volume: VolumePlan) => volume.name));
  const defaults: PodDefaults = {
    runAsUser: security.runAsUser,
    runAsGroup: security.runAsGroup,
    runAsNonRoot: security.runAsNonRoot === true,
    volumeNames,
  };
  const initContainers = ((pod.initContainers ?? []) as Json[]).map((container, index) =>
    initContainerPlan(rendered, container, `${podPath}.initContainers[${index}]`, defaults),
  );
  const containers = (pod.containers as Json[]).map((container, index) =>
    containerPlan(rendered, container, `${podPath}.containers[${index}]`, defaults),
  );
  return {
    workload,
    replicas: replicasOf(rendered, kind, name, spec),
    labels,
    stableIdentity: kind === 'StatefulSet' ? { serviceName: spec.serviceName } : undefined,
    initContainers,
    containers,
    volumes,
    fsGroup: security.fsGroup,
    fsGroupChangePolicy: security.fsGroupChangePolicy ?? 'Always',
    supplementalGroups: security.supplementalGroups ?? [],
    terminationGracePeriodSeconds:
      pod.terminationGracePeriodSeconds ?? KUBERNETES_DEFAULT_GRACE_SECONDS,
  };
}

/** A CronJob's Job template spec, its own fields checked: the controller's, not the kubelet's. */
function cronJobTemplate(object: Json, workload: string): Json {
  checkFields(object.spec, `${workload}: spec`, {
    schedule: NOT_MODELLED.jobs,
    timeZone: NOT_MODELLED.jobs,
    concurrencyPolicy: NOT_MODELLED.jobs,
    startingDeadlineSeconds: NOT_MODELLED.jobs,
    successfulJobsHistoryLimit: NOT_MODELLED.jobs,
    failedJobsHistoryLimit: NOT_MODELLED.jobs,
    suspend: NOT_MODELLED.jobs,
    jobTemplate: 'model',
  });
  checkFields(object.spec.jobTemplate, `${workload}: spec.jobTemplate`, {
    metadata: NOT_MODELLED.controllers,
    spec: 'model',
  });
  return object.spec.jobTemplate.spec;
}

/** The Deployment's replicas, or its HorizontalPodAutoscaler's minimum when it sets none. */
function replicasOf(rendered: Rendered, kind: string, name: string, spec: Json): number {
  if (kind === 'CronJob') return 1;
  if (spec.replicas !== undefined) return spec.replicas;
  const autoscaler = rendered.objects.find(
    (object) =>
      object.kind === 'HorizontalPodAutoscaler' &&
      object.spec?.scaleTargetRef?.kind === kind &&
      object.spec?.scaleTargetRef?.name === name,
  );
  return autoscaler?.spec?.minReplicas ?? 1;
}

function volumePlan(rendered: Rendered, volume: Json, path: string): VolumePlan {
  checkFields(volume, path, {
    name: 'model',
    emptyDir: 'model',
    configMap: 'model',
    secret: 'model',
    persistentVolumeClaim: 'model',
  });
  if (volume.persistentVolumeClaim) {
    checkFields(volume.persistentVolumeClaim, `${path}.persistentVolumeClaim`, {
      claimName: 'model',
      readOnly: 'model',
    });
    // The claim must exist, or the pod would stay Pending.
    findObject(rendered, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
    return {
      kind: 'claim',
      name: volume.name,
      claimName: volume.persistentVolumeClaim.claimName,
      perPod: false,
    };
  }
  if (volume.emptyDir) {
    checkFields(volume.emptyDir, `${path}.emptyDir`, { sizeLimit: 'model', medium: 'model' });
    if (volume.emptyDir.medium !== undefined)
      checkValue(volume.emptyDir.medium, `${path}.emptyDir.medium`, ['', 'Memory']);
    const limit = volume.emptyDir.sizeLimit;
    return {
      kind: 'emptyDir',
      name: volume.name,
      sizeLimitBytes:
        limit === undefined ? undefined : bytesOf(limit, `${path}.emptyDir.sizeLimit`),
    };
  }
  if (volume.configMap) {
    checkFields(volume.configMap, `${path}.configMap`, {
      name: 'model',
      items: 'model',
      defaultMode: 'model',
      optional: 'model',
    });
    const configMap = findObject(rendered, 'ConfigMap', volume.configMap.name);
    const data: Record<string, Buffer> = Object.fromEntries([
      ...Object.entries(configMap.data ?? {}).map(([key, value]) => [
        key,
        Buffer.from(String(value)),
      ]),
      ...Object.entries(configMap.binaryData ?? {}).map(([key, value]) => [
        key,
        Buffer.from(String(value), 'base64'),
      ]),
    ]);
    return {
      kind: 'files',
      name: volume.name,
      source: `ConfigMap/${volume.configMap.name}`,
      files: projectedFiles(data, volume.configMap, `${path}.configMap`),
    };
  }
  if (volume.secret) {
    checkFields(volume.secret, `${path}.secret`, {
      secretName: 'model',
      items: 'model',
      defaultMode: 'model',
      optional: 'model',
    });
    const data = secretData(rendered, volume.secret.secretName);
    return {
      kind: 'files',
      name: volume.name,
      source: `Secret/${volume.secret.secretName}`,
      files: projectedFiles(data, volume.secret, `${path}.secret`),
    };
  }
  throw new UnsupportedFieldError(`${path}: volume ${volume.name} has no source the harness knows`);
}

/** A Secret's values as the kubelet gets them (the API server folds stringData into data). */
export function secretData(rendered: Rendered, name: string): Record<string, Buffer> {
  const secret = findObject(rendered, 'Secret', name);
  return Object.fromEntries([
    ...Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(String(value), 'base64'),
    ]),
    ...Object.entries(secret.stringData ?? {}).map(([key, value]) => [
      key,
      Buffer.from(String(value)),
    ]),
  ]);
}

function projectedFiles(data: Record<string, Buffer>, source: Json, path: string): ProjectedFile[] {
  const defaultMode = source.defaultMode ?? DEFAULT_FILE_MODE;
  if (!source.items) {
    return Object.entries(data).map(([key, content]) => ({
      path: key,
      content,
      mode: defaultMode,
    }));
  }
  return source.items.map((item: Json, index: number) => {
    checkFields(item, `${path}.items[${index}]`, { key: 'model', path: 'model', mode: 'model' });
    const content = data[item.key];
    if (content === undefined) {
      throw new UnsupportedFieldError(
        `${path}.items[${index}]: key ${item.key} is not in the source, so the pod would not start`,
      );
    }
    return { path: item.path, content, mode: item.mode ?? defaultMode };
  });
}

interface PodDefaults {
  runAsUser: number | undefined;
  runAsGroup: number | undefined;
  runAsNonRoot: boolean;
  volumeNames: Set<string>;
}

/**
 * An init container: a container that runs to completion. The API server refuses probes,
 * lifecycle hooks and a `restartPolicy` (a sidecar) on one; the harness models none of them.
 */
function initContainerPlan(
  rendered: Rendered,
  container: Json,
  path: string,
  pod: PodDefaults,
): ContainerPlan {
  for (const field of ['startupProbe', 'readinessProbe', 'livenessProbe', 'lifecycle']) {
    if (container[field] !== undefined) {
      throw new UnsupportedFieldError(`${path}.${field}: an init container has none`);
    }
  }
  return containerPlan(rendered, container, path, pod);
}

function containerPlan(
  rendered: Rendered,
  container: Json,
  path: string,
  pod: PodDefaults,
): ContainerPlan {
  checkFields(container, path, {
    name: 'model',
    image: 'model',
    imagePullPolicy: 'model',
    command: 'model',
    args: 'model',
    env: 'model',
    envFrom: 'model',
    ports: 'model',
    volumeMounts: 'model',
    securityContext: 'model',
    resources: 'model',
    startupProbe: 'model',
    readinessProbe: 'model',
    livenessProbe: 'model',
    lifecycle: 'model',
  });
  // No registry here: the image must already be in the engine, as IfNotPresent allows.
  checkValue(container.imagePullPolicy ?? 'IfNotPresent', `${path}.imagePullPolicy`, [
    'IfNotPresent',
    'Never',
  ]);
  const security = container.securityContext ?? {};
  checkFields(security, `${path}.securityContext`, {
    allowPrivilegeEscalation: 'model',
    capabilities: 'model',
    readOnlyRootFilesystem: 'model',
    runAsNonRoot: 'model',
    runAsUser: 'model',
    runAsGroup: 'model',
    seccompProfile: 'model',
    privileged: 'model',
  });
  if (security.privileged !== undefined)
    checkValue(security.privileged, `${path}.securityContext.privileged`, [false]);
  if (security.seccompProfile)
    checkValue(security.seccompProfile.type, `${path}.securityContext.seccompProfile.type`, [
      'RuntimeDefault',
    ]);
  checkFields(security.capabilities, `${path}.securityContext.capabilities`, {
    drop: 'model',
    add: 'model',
  });

  const resources = container.resources ?? {};
  checkFields(resources, `${path}.resources`, { limits: 'model', requests: NOT_MODELLED.requests });
  checkFields(resources.limits, `${path}.resources.limits`, { memory: 'model', cpu: 'model' });

  const ports = (container.ports ?? []).map((port: Json, index: number) => {
    checkFields(port, `${path}.ports[${index}]`, {
      containerPort: 'model',
      name: 'model',
      protocol: 'model',
    });
    if (port.protocol !== undefined)
      checkValue(port.protocol, `${path}.ports[${index}].protocol`, ['TCP']);
    return { name: port.name as string | undefined, containerPort: port.containerPort as number };
  });

  const mounts = (container.volumeMounts ?? []).map((mount: Json, index: number) => {
    checkFields(mount, `${path}.volumeMounts[${index}]`, {
      name: 'model',
      mountPath: 'model',
      readOnly: 'model',
    });
    if (!pod.volumeNames.has(mount.name)) {
      throw new UnsupportedFieldError(
        `${path}.volumeMounts[${index}]: no volume named ${mount.name}`,
      );
    }
    return { volume: mount.name, mountPath: mount.mountPath, readOnly: mount.readOnly === true };
  });

  const lifecycle = container.lifecycle ?? {};
  checkFields(lifecycle, `${path}.lifecycle`, { preStop: 'model' });
  if (lifecycle.preStop)
    checkFields(lifecycle.preStop, `${path}.lifecycle.preStop`, { exec: 'model' });

  const plan: ContainerPlan = {
    name: container.name,
    image: container.image,
    command: container.command,
    args: container.args,
    env: [],
    ports,
    mounts,
    runAsUser: security.runAsUser ?? pod.runAsUser,
    runAsGroup: security.runAsGroup ?? pod.runAsGroup,
    runAsNonRoot: security.runAsNonRoot ?? pod.runAsNonRoot,
    readOnlyRootFilesystem: security.readOnlyRootFilesystem === true,
    allowPrivilegeEscalation: security.allowPrivilegeEscalation !== false,
    capabilitiesDrop: security.capabilities?.drop ?? [],
    capabilitiesAdd: security.capabilities?.add ?? [],
    memoryLimitBytes:
      resources.limits?.memory === undefined
        ? undefined
        : bytesOf(resources.limits.memory, `${path}.resources.limits.memory`),
    cpuLimit:
      resources.limits?.cpu === undefined
        ? undefined
        : cpusOf(resources.limits.cpu, `${path}.resources.limits.cpu`),
    probes: {},
    preStop: lifecycle.preStop?.exec?.command,
  };
  plan.env = environment(rendered, container, path);
  for (const [field, key] of [
    ['startupProbe', 'startup'],
    ['readinessProbe', 'readiness'],
    ['livenessProbe', 'liveness'],
  ] as const) {
    if (container[field]) plan.probes[key] = probePlan(container[field], `${path}.${field}`, ports);
  }
  return plan;
}

/** `env` and `envFrom` resolved as the kubelet does: envFrom first, then env over it, $(VAR) expanded. */
function environment(rendered: Rendered, container: Json, path: string): [string, string][] {
  const values = new Map<string, string>();
  for (const [index, source] of (container.envFrom ?? []).entries()) {
    const where = `${path}.envFrom[${index}]`;
    checkFields(source, where, { configMapRef: 'model', secretRef: 'model', prefix: 'model' });
    const prefix = source.prefix ?? '';
    if (source.configMapRef) {
      checkFields(source.configMapRef, `${where}.configMapRef`, {
        name: 'model',
        optional: 'model',
      });
      const data = findObject(rendered, 'ConfigMap', source.configMapRef.name).data ?? {};
      for (const [key, value] of Object.entries(data)) values.set(prefix + key, String(value));
    } else if (source.secretRef) {
      checkFields(source.secretRef, `${where}.secretRef`, { name: 'model', optional: 'model' });
      for (const [key, value] of Object.entries(secretData(rendered, source.secretRef.name))) {
        values.set(prefix + key, value.toString());
      }
    }
  }
  for (const [index, variable] of (container.env ?? []).entries()) {
    const where = `${path}.env[${index}]`;
    checkFields(variable, where, { name: 'model', value: 'model', valueFrom: 'model' });
    if (variable.valueFrom) {
      values.set(variable.name, valueFrom(rendered, variable.valueFrom, `${where}.valueFrom`));
    } else {
      values.set(variable.name, expand(String(variable.value ?? ''), values));
    }
  }
  return [...values.entries()];
}

function valueFrom(rendered: Rendered, source: Json, path: string): string {
  checkFields(source, path, { configMapKeyRef: 'model', secretKeyRef: 'model' });
  const reference = source.configMapKeyRef ?? source.secretKeyRef;
  checkFields(reference, path, { name: 'model', key: 'model', optional: 'model' });
  const value = source.configMapKeyRef
    ? findObject(rendered, 'ConfigMap', reference.name).data?.[reference.key]
    : secretData(rendered, reference.name)[reference.key]?.toString();
  if (value === undefined)
    throw new UnsupportedFieldError(`${path}: key ${reference.key} is not in ${reference.name}`);
  return String(value);
}

/** The kubelet's $(VAR) expansion: a defined variable is replaced, $$ is a literal $. */
export function expand(text: string, values: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) =>
    name === undefined ? '$' : (values.get(name) ?? match),
  );
}

function probePlan(probe: Json, path: string, ports: ContainerPlan['ports']): ProbePlan {
  checkFields(probe, path, {
    exec: 'model',
    httpGet: 'model',
    tcpSocket: 'model',
    initialDelaySeconds: 'model',
    periodSeconds: 'model',
    timeoutSeconds: 'model',
    successThreshold: 'model',
    failureThreshold: 'model',
  });
  const port = (value: number | string, where: string): number => {
    if (typeof value === 'number') return value;
    const named = ports.find((candidate) => candidate.name === value);
    if (!named) throw new UnsupportedFieldError(`${where}: no container port named ${value}`);
    return named.containerPort;
  };
  let action: ProbeAction;
  if (probe.exec) {
    checkFields(probe.exec, `${path}.exec`, { command: 'model' });
    action = { exec: probe.exec.command };
  } else if (probe.httpGet) {
    checkFields(probe.httpGet, `${path}.httpGet`, {
      path: 'model',
      port: 'model',
      scheme: 'model',
      httpHeaders: 'model',
    });
    if (probe.httpGet.scheme !== undefined)
      checkValue(probe.httpGet.scheme, `${path}.httpGet.scheme`, ['HTTP']);
    action = {
      httpGet: {
        path: probe.httpGet.path ?? '/',
        port: port(probe.httpGet.port, `${path}.httpGet.port`),
        headers: (probe.httpGet.httpHeaders ?? []).map((header: Json) => [
          header.name,
          header.value,
        ]),
      },
    };
  } else if (probe.tcpSocket) {
    checkFields(probe.tcpSocket, `${path}.tcpSocket`, { port: 'model' });
    action = { tcpSocket: { port: port(probe.tcpSocket.port, `${path}.tcpSocket.port`) } };
  } else {
    throw new UnsupportedFieldError(`${path}: a probe with no exec, httpGet or tcpSocket`);
  }
  // The Kubernetes defaults for what the chart leaves out.
  return {
    action,
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}
