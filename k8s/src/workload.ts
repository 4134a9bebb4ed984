// Pieces every tier's workload shares.
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

/** Never below the current capacity during a rollout: one extra pod at a time, none taken away. */
export const SURGE_ONLY_ROLLOUT: k8s.DeploymentStrategy = {
  type: 'RollingUpdate',
  rollingUpdate: {
    maxUnavailable: k8s.IntOrString.fromNumber(0),
    maxSurge: k8s.IntOrString.fromNumber(1),
  },
};

/** A ServiceAccount of the tier's own that mounts no API token: no pod here talks to Kubernetes. */
export function tokenlessServiceAccount(scope: Construct, metadata: k8s.ObjectMeta): void {
  new k8s.KubeServiceAccount(scope, 'service-account', {
    metadata,
    automountServiceAccountToken: false,
  });
}
