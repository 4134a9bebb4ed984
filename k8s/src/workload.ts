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

/** A ClusterIP Service in front of a tier's pods, on their port named `http`. */
export function httpService(
  scope: Construct,
  metadata: k8s.ObjectMeta,
  selector: Record<string, string>,
  port: number,
): void {
  new k8s.KubeService(scope, 'service', {
    metadata,
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromString('http') }],
    },
  });
}
