// Pod Security Standards "restricted", applied the same way to every tier, and the small
// building blocks (resources, probes, emptyDirs) the tier constructs share.
import { k8s } from 'cdk8s-plus-28';

/** The profile the namespace enforces; every pod here must meet it. */
export const POD_SECURITY_LEVEL = 'restricted';

/** Runs as the image's own non-root user; the group owns mounted volumes (fsGroup). */
export function podSecurityContext(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    // Only relabel a volume when its root is not owned by fsGroup yet: fast restarts on big PVCs.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** No privilege escalation, no capabilities, nothing written outside declared volumes. */
export function containerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** What a container asks for and the most memory it may use. */
export interface ResourceBudget {
  /** CPU reserved for scheduling, in millicores. */
  cpuMillis: number;
  /** Memory reserved for scheduling, in MiB. */
  memoryMiB: number;
  /** Memory above which the container is killed, in MiB. */
  memoryLimitMiB: number;
}

// No CPU limit on purpose: a limit throttles a busy container even when the node is idle,
// while the request already guarantees its share under contention.
export function resources(budget: ResourceBudget): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(`${budget.cpuMillis}m`),
      memory: k8s.Quantity.fromString(`${budget.memoryMiB}Mi`),
    },
    limits: { memory: k8s.Quantity.fromString(`${budget.memoryLimitMiB}Mi`) },
  };
}

/** A writable scratch directory on an otherwise read-only root filesystem. */
export interface ScratchDirectory {
  /** Volume name (DNS label). */
  name: string;
  /** Where the container sees it. */
  mountPath: string;
  /** Upper bound in MiB, so a runaway writer cannot fill the node's disk. */
  sizeLimitMiB: number;
}

export function scratchVolume(directory: ScratchDirectory): k8s.Volume {
  return {
    name: directory.name,
    emptyDir: { sizeLimit: k8s.Quantity.fromString(`${directory.sizeLimitMiB}Mi`) },
  };
}

export function scratchMount(directory: ScratchDirectory): k8s.VolumeMount {
  return { name: directory.name, mountPath: directory.mountPath };
}

/** How often and how patiently a probe checks. */
export interface ProbeTiming {
  periodSeconds: number;
  failureThreshold: number;
  timeoutSeconds: number;
  initialDelaySeconds?: number;
}

export function httpProbe(path: string, port: number, timing: ProbeTiming): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromNumber(port) }, ...timing };
}

/** Read-only secret files: the owner and the pod's fsGroup may read them (0440). */
export const SECRET_FILE_MODE = 0o440;
