// The httpd front: the page, and a reverse proxy of /api/ to the Service `api`.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ImageRef, imageReference } from './config.ts';
import { PORTS, podLabels, RUNTIME_UIDS, SERVICE_NAMES, selectorLabels } from './contract.ts';
import {
  containerSecurityContext,
  httpProbe,
  podSecurityContext,
  type ResourceBudget,
  resources,
  type ScratchDirectory,
  scratchMount,
  scratchVolume,
} from './pod-security.ts';
import { httpService, SURGE_ONLY_ROLLOUT, tokenlessServiceAccount } from './workload.ts';

const COMPONENT = 'front';
// httpd writes only its pid file (PidFile /tmp/httpd.pid); logs go to stdout and stderr.
const TMP: ScratchDirectory = { name: 'tmp', mountPath: '/tmp', sizeLimitMiB: 16 };
// httpd stops at once on SIGTERM: the pause lets endpoints forget the pod first.
const PRE_STOP_PAUSE_SECONDS = 5;
const TERMINATION_GRACE_SECONDS = 30;

export interface FrontProps {
  /** Namespace of every object. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /** The front image. @default tristack-front:<repository version> */
  readonly image: ImageRef;
  /**
   * Number of pods.
   * @default 1 in dev, 2 in prod
   */
  readonly replicas?: number;
  /**
   * CPU and memory.
   * @default 50m and 32Mi requested, 128Mi memory limit
   */
  readonly resources?: ResourceBudget;
}

const DEFAULTS = {
  replicas: 1,
  resources: { cpuMillis: 50, memoryMiB: 32, memoryLimitMiB: 128 },
} as const;

/** Deployment `front`, Service `front` on 8080 and a ServiceAccount. */
export class Front extends Construct {
  readonly serviceName: string = SERVICE_NAMES.front;
  readonly port: number = PORTS.front;

  constructor(scope: Construct, id: string, props: FrontProps) {
    super(scope, id);
    const metadata = (name: string) => ({
      name,
      namespace: props.namespace,
      labels: selectorLabels(COMPONENT),
    });

    tokenlessServiceAccount(this, metadata(COMPONENT));

    httpService(this, metadata(SERVICE_NAMES.front), selectorLabels(COMPONENT), PORTS.front);

    new k8s.KubeDeployment(this, 'deployment', {
      metadata: metadata(COMPONENT),
      spec: {
        replicas: props.replicas ?? DEFAULTS.replicas,
        selector: { matchLabels: selectorLabels(COMPONENT) },
        strategy: SURGE_ONLY_ROLLOUT,
        template: {
          metadata: { labels: podLabels(COMPONENT) },
          spec: {
            serviceAccountName: COMPONENT,
            automountServiceAccountToken: false,
            securityContext: podSecurityContext(RUNTIME_UIDS.front),
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            containers: [
              {
                name: 'httpd',
                image: imageReference(props.image),
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: PORTS.front }],
                resources: resources(props.resources ?? DEFAULTS.resources),
                securityContext: containerSecurityContext(),
                startupProbe: httpProbe('/', PORTS.front, {
                  periodSeconds: 2,
                  failureThreshold: 15,
                  timeoutSeconds: 2,
                }),
                // The static page: ready does not depend on the API (the page shows its own error).
                readinessProbe: httpProbe('/', PORTS.front, {
                  periodSeconds: 5,
                  failureThreshold: 2,
                  timeoutSeconds: 2,
                }),
                livenessProbe: httpProbe('/', PORTS.front, {
                  periodSeconds: 10,
                  failureThreshold: 3,
                  timeoutSeconds: 2,
                }),
                lifecycle: {
                  preStop: { exec: { command: ['sleep', String(PRE_STOP_PAUSE_SECONDS)] } },
                },
                volumeMounts: [scratchMount(TMP)],
              },
            ],
            volumes: [scratchVolume(TMP)],
          },
        },
      },
    });
  }
}
