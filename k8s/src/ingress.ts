// One Ingress: `/api` to the API (it serves every route under /api too, so no rewrite), the rest
// to the front.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMPONENT_LABEL, PORTS, SERVICE_NAMES } from './contract.ts';

export interface IngressProps {
  /** Namespace of the Ingress. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /**
   * Host name to answer for.
   * @default undefined: every host (handy on kind and minikube with http://localhost)
   */
  readonly host?: string;
  /**
   * IngressClass to use.
   * @default undefined: the cluster's default class
   */
  readonly className?: string;
  /**
   * Secret with the TLS certificate for `host`; requires `host`.
   * @default undefined: plain HTTP
   */
  readonly tlsSecretName?: string;
}

function backend(service: string, port: number): k8s.IngressBackend {
  return { service: { name: service, port: { number: port } } };
}

export class Ingress extends Construct {
  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    if (props.tlsSecretName !== undefined && props.host === undefined) {
      throw new Error('Ingress: tlsSecretName needs a host');
    }
    const paths: k8s.HttpIngressPath[] = [
      { path: '/api', pathType: 'Prefix', backend: backend(SERVICE_NAMES.api, PORTS.api) },
      { path: '/', pathType: 'Prefix', backend: backend(SERVICE_NAMES.front, PORTS.front) },
    ];
    new k8s.KubeIngress(this, 'ingress', {
      // Labelled front: it is the public entry, the page's address (it also routes /api).
      metadata: {
        name: 'tristack',
        namespace: props.namespace,
        labels: { [COMPONENT_LABEL]: 'front' },
      },
      spec: {
        ...(props.className === undefined ? {} : { ingressClassName: props.className }),
        ...(props.tlsSecretName === undefined || props.host === undefined
          ? {}
          : { tls: [{ hosts: [props.host], secretName: props.tlsSecretName }] }),
        rules: [{ ...(props.host === undefined ? {} : { host: props.host }), http: { paths } }],
      },
    });
  }
}
