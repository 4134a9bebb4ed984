// Pod Security Standards "restricted", applied the same way to every tier, and the small
// building blocks (resources, probes, emptyDirs) the tier constructs share. Each comes in the
// cdk8s-plus form the Deployments take, and in the raw form for the one k8s.KubeStatefulSet
// (database.ts), from the same constants.
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

/** The profile the namespace enforces; every pod here must meet it. */
export const POD_SECURITY_LEVEL = 'restricted';

/** The container runtime's default seccomp filter, on every pod and container. */
export const SECCOMP_PROFILE = { type: 'RuntimeDefault' } as const;

/** Runs as the image's own non-root user; the group owns mounted volumes (fsGroup). */
export function podSecurityContext(uid: number): kplus.PodSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: uid,
    group: uid,
    fsGroup: uid,
    // Only relabel a volume when its root is not owned by fsGroup yet: fast restarts on big PVCs.
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/** podSecurityContext for the StatefulSet. */
export function kubePodSecurityContext(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    seccompProfile: SECCOMP_PROFILE,
  };
}

/** No privilege escalation, no capabilities, nothing written outside declared volumes. */
export function containerSecurityContext(): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** containerSecurityContext for the StatefulSet. */
export function kubeContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: SECCOMP_PROFILE,
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
export function resources(budget: ResourceBudget): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(budget.cpuMillis) },
    memory: {
      request: Size.mebibytes(budget.memoryMiB),
      limit: Size.mebibytes(budget.memoryLimitMiB),
    },
  };
}

/** resources for the StatefulSet. */
export function kubeResources(budget: ResourceBudget): k8s.ResourceRequirements {
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

/** The directory as a mount of an emptyDir volume of its own. */
export function scratchMount(scope: Construct, directory: ScratchDirectory): kplus.VolumeMount {
  const volume = kplus.Volume.fromEmptyDir(scope, `${directory.name}-volume`, directory.name, {
    sizeLimit: Size.mebibytes(directory.sizeLimitMiB),
  });
  return { volume, path: directory.mountPath };
}

/** The volume for the StatefulSet. */
export function kubeScratchVolume(directory: ScratchDirectory): k8s.Volume {
  return {
    name: directory.name,
    emptyDir: { sizeLimit: k8s.Quantity.fromString(`${directory.sizeLimitMiB}Mi`) },
  };
}

/** The mount for the StatefulSet. */
export function kubeScratchMount(directory: ScratchDirectory): k8s.VolumeMount {
  return { name: directory.name, mountPath: directory.mountPath };
}

/** How often and how patiently a probe checks. */
export interface ProbeTiming {
  periodSeconds: number;
  failureThreshold: number;
  timeoutSeconds: number;
}

export function httpProbe(path: string, port: number, timing: ProbeTiming): kplus.Probe {
  return kplus.Probe.fromHttpGet(path, {
    port,
    periodSeconds: Duration.seconds(timing.periodSeconds),
    failureThreshold: timing.failureThreshold,
    timeoutSeconds: Duration.seconds(timing.timeoutSeconds),
  });
}

/** Read-only secret files: the owner and the pod's fsGroup may read them (0440). */
export const SECRET_FILE_MODE = 0o440;
