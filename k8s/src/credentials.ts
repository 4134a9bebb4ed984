// The database credentials Secret. Production references a Secret the operator created; only
// dev may have the chart generate one, with fixed values that are public and say so.
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { COMPONENT_LABEL } from './contract.ts';

/** Keys of the credentials Secret; the db and the api mount them as files. */
export const DATABASE_SECRET_KEYS = {
  password: 'mysql-password',
  rootPassword: 'mysql-root-password',
} as const;

// Fixed (synthesis must be byte-identical run to run) and obviously not secret: anyone with the
// repository knows them, which is acceptable only on a throwaway laptop cluster.
export const DEV_ONLY_CREDENTIALS = {
  [DATABASE_SECRET_KEYS.password]: 'dev-only-app-password',
  [DATABASE_SECRET_KEYS.rootPassword]: 'dev-only-root-password',
} as const;

export interface DevDatabaseSecretProps {
  /** Namespace of the Secret. @default 'tristack' (the environment's namespace) */
  readonly namespace: string;
  /** Secret name, referenced by the db and the api. @default 'db-credentials' */
  readonly name: string;
}

/** A Secret with public development-only passwords. Never used by the prod environment. */
export class DevDatabaseSecret extends Construct {
  /** The Secret, for the db and the api to mount. */
  readonly secret: kplus.Secret;

  constructor(scope: Construct, id: string, props: DevDatabaseSecretProps) {
    super(scope, id);
    this.secret = new kplus.Secret(this, 'secret', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        // The database's credentials: the api only borrows the application password.
        labels: { [COMPONENT_LABEL]: 'db' },
        annotations: {
          'tristack/dev-only':
            'public passwords from the repository: never use outside a local cluster',
        },
      },
      type: 'Opaque',
      stringData: { ...DEV_ONLY_CREDENTIALS },
    });
  }
}
