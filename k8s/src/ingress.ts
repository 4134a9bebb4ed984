// One Ingress: `/api` to the API (it serves every route under /api too, so no rewrite), the rest
// to the front.
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMPONENT_LABEL } from './contract.ts';

export interface IngressProps {
  /** Namespace of the Ingress. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /** The API's Service, the backend of `/api`. */
  readonly api: kplus.Service;
  /** The front's Service, the backend of everything else. */
  readonly front: kplus.Service;
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

export class Ingress extends Construct {
  constructor(scope: Construct, id: string, props: IngressProps) {
    super(scope, id);
    const { host, tlsSecretName } = props;
    if (tlsSecretName !== undefined && host === undefined) {
      throw new Error('Ingress: tlsSecretName needs a host');
    }
    const ingress = new kplus.Ingress(this, 'ingress', {
      // Labelled front: it is the public entry, the page's address (it also routes /api).
      metadata: {
        name: 'tristack',
        namespace: props.namespace,
        labels: { [COMPONENT_LABEL]: 'front' },
      },
      ...(props.className === undefined ? {} : { className: props.className }),
    });
    const routes: [string, kplus.Service][] = [
      ['/api', props.api],
      ['/', props.front],
    ];
    for (const [path, service] of routes) {
      const backend = kplus.IngressBackend.fromService(service);
      if (host === undefined) ingress.addRule(path, backend, kplus.HttpIngressPathType.PREFIX);
      else ingress.addHostRule(host, path, backend, kplus.HttpIngressPathType.PREFIX);
    }
    if (host !== undefined && tlsSecretName !== undefined) {
      const secret = kplus.Secret.fromSecretName(this, 'tls-secret', tlsSecretName);
      ingress.addTls([{ hosts: [host], secret }]);
    }
  }
}
