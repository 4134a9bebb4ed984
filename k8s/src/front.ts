// The httpd front: the page, and a reverse proxy of /api/ to the Service `api`.
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { type ImageRef, imageReference } from './config.ts';
import { PORTS, RUNTIME_UIDS } from './contract.ts';
import {
  containerSecurityContext,
  httpProbe,
  type ResourceBudget,
  resources,
  type ScratchDirectory,
  scratchMount,
} from './pod-security.ts';
import { httpService, tierDeployment, tokenlessServiceAccount } from './workload.ts';

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
  /** The pods, for the NetworkPolicies to name as a peer. */
  readonly pods: kplus.Pods;
  /** The Service the Ingress sends the page's traffic to. */
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: FrontProps) {
    super(scope, id);
    const metadata = { name: COMPONENT, namespace: props.namespace, component: COMPONENT } as const;

    const deployment = tierDeployment(this, {
      metadata,
      replicas: props.replicas ?? DEFAULTS.replicas,
      uid: RUNTIME_UIDS.front,
      serviceAccount: tokenlessServiceAccount(this, metadata),
      terminationGraceSeconds: TERMINATION_GRACE_SECONDS,
      container: {
        name: 'httpd',
        image: imageReference(props.image),
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        ports: [{ name: 'http', number: PORTS.front }],
        resources: resources(props.resources ?? DEFAULTS.resources),
        securityContext: containerSecurityContext(),
        startup: httpProbe('/', PORTS.front, {
          periodSeconds: 2,
          failureThreshold: 15,
          timeoutSeconds: 2,
        }),
        // The static page: ready does not depend on the API (the page shows its own error).
        readiness: httpProbe('/', PORTS.front, {
          periodSeconds: 5,
          failureThreshold: 2,
          timeoutSeconds: 2,
        }),
        liveness: httpProbe('/', PORTS.front, {
          periodSeconds: 10,
          failureThreshold: 3,
          timeoutSeconds: 2,
        }),
        lifecycle: {
          preStop: kplus.Handler.fromCommand(['sleep', String(PRE_STOP_PAUSE_SECONDS)]),
        },
        volumeMounts: [scratchMount(this, TMP)],
      },
    });

    ({ pods: this.pods, service: this.service } = httpService(this, metadata, deployment));
  }
}
