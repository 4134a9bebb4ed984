// Pieces every tier's workload shares: a hardened Deployment whose selector, Service and peers
// all come from the one set of tier labels, and a ServiceAccount that mounts no token.
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { type Component, podLabels, SERVICE_NAMES, selectorLabels } from './contract.ts';
import { podSecurityContext, SECCOMP_PROFILE } from './pod-security.ts';

/** Never below the current capacity during a rollout: one extra pod at a time, none taken away. */
const SURGE_ONLY_ROLLOUT = kplus.DeploymentStrategy.rollingUpdate({
  maxSurge: kplus.PercentOrAbsolute.absolute(1),
  maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
});

/** Where an object lives and which tier it belongs to. */
export interface TierMetadata {
  /** Object name. */
  readonly name: string;
  /** Namespace of the object. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /** The tier whose component label the object carries. */
  readonly component: Component;
}

export function tierMetadata(metadata: TierMetadata) {
  return {
    name: metadata.name,
    namespace: metadata.namespace,
    labels: selectorLabels(metadata.component),
  };
}

/** A ServiceAccount of the tier's own that mounts no API token: no pod here talks to Kubernetes. */
export function tokenlessServiceAccount(
  scope: Construct,
  metadata: TierMetadata,
): kplus.ServiceAccount {
  return new kplus.ServiceAccount(scope, 'service-account', {
    metadata: tierMetadata(metadata),
    automountToken: false,
  });
}

export interface TierDeploymentProps {
  /** Name, namespace and tier of the Deployment and its pods. */
  readonly metadata: TierMetadata;
  /** Fixed number of pods. @default undefined: an autoscaler owns the count */
  readonly replicas?: number;
  /** The image's non-root uid, also the pod's group and fsGroup. */
  readonly uid: number;
  /** The tier's ServiceAccount. */
  readonly serviceAccount: kplus.IServiceAccount;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly terminationGraceSeconds: number;
  /** The one container. */
  readonly container: kplus.ContainerProps;
  /** Containers run to completion, in order, before it starts. @default none */
  readonly initContainers?: kplus.ContainerProps[];
  /** Pod template annotations. @default none */
  readonly podAnnotations?: Record<string, string>;
  /** Spread the pods over nodes when there are several, never blocking a one-node cluster. @default false */
  readonly spreadOverNodes?: boolean;
}

/**
 * A Deployment that selects its pods by the tier's labels (not a generated one: a Deployment's
 * selector cannot change once applied), rolls out surge-only, and runs the restricted profile.
 */
export function tierDeployment(scope: Construct, props: TierDeploymentProps): kplus.Deployment {
  const { component } = props.metadata;
  const deployment = new kplus.Deployment(scope, 'deployment', {
    metadata: tierMetadata(props.metadata),
    select: false,
    podMetadata: { labels: podLabels(component), annotations: props.podAnnotations },
    ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
    strategy: SURGE_ONLY_ROLLOUT,
    serviceAccount: props.serviceAccount,
    automountServiceAccountToken: false,
    securityContext: podSecurityContext(props.uid),
    terminationGracePeriod: Duration.seconds(props.terminationGraceSeconds),
    containers: [props.container],
    ...(props.initContainers === undefined ? {} : { initContainers: props.initContainers }),
  });
  deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(component) }));
  const podSpec = ApiObject.of(deployment);
  // cdk8s-plus-28's PodSecurityContextProps has no seccompProfile.
  podSpec.addJsonPatch(
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', SECCOMP_PROFILE),
  );
  if (props.spreadOverNodes) {
    // cdk8s-plus-28's scheduling.spread() renders pod anti-affinity, not a soft topology spread.
    podSpec.addJsonPatch(
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: sortedKeys(deployment.matchLabels) },
        },
      ]),
    );
  }
  return deployment;
}

// cdk8s writes the rest of the object with sorted keys; a patched-in value is written as given.
function sortedKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** A tier's pods and the Service in front of them. */
export interface ServedPods {
  /**
   * The pods, selected by the Deployment's own selector, for the Service and the NetworkPolicies.
   * Not the Deployment itself: cdk8s-plus selects a workload by its generated
   * `cdk8s.io/metadata.addr` label, whose value follows the construct path, and a Service
   * switched to a new value would drop every old pod at once in the rollout that follows.
   */
  readonly pods: kplus.Pods;
  /** ClusterIP Service `db`, `api` or `front` (the contract's name), on the container's port. */
  readonly service: kplus.Service;
}

/** The tier's Service on its Deployment's port, named `http`. */
export function httpService(
  scope: Construct,
  metadata: TierMetadata,
  deployment: kplus.Deployment,
): ServedPods {
  const port = deployment.containers[0]?.ports[0]?.number;
  if (port === undefined) throw new Error(`${deployment.name}: the container declares no port`);
  const pods = kplus.Pods.select(scope, 'pods', { labels: deployment.matchLabels });
  const service = new kplus.Service(scope, 'service', {
    metadata: tierMetadata({ ...metadata, name: SERVICE_NAMES[metadata.component] }),
    type: kplus.ServiceType.CLUSTER_IP,
    selector: pods,
    ports: [{ name: 'http', port, targetPort: port }],
  });
  return { pods, service };
}
