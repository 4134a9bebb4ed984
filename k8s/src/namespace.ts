// The namespace, with the Pod Security Standards profile every tier meets enforced on it.
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { POD_SECURITY_LEVEL } from './pod-security.ts';

export interface NamespaceProps {
  /** Namespace name. @default 'tristack' */
  readonly name: string;
}

export class Namespace extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceProps) {
    super(scope, id);
    new kplus.Namespace(this, 'namespace', {
      metadata: {
        name: props.name,
        labels: {
          'pod-security.kubernetes.io/enforce': POD_SECURITY_LEVEL,
          'pod-security.kubernetes.io/warn': POD_SECURITY_LEVEL,
          'pod-security.kubernetes.io/audit': POD_SECURITY_LEVEL,
        },
      },
    });
  }
}
