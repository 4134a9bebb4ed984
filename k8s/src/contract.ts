// The parts of the contract (docs/contract.md) the manifests depend on: names, ports and labels
// that compose, the API and the front share. Change the contract first.

/** Product name: the chart, the namespace default and the `name`/`part-of` labels. */
export const PRODUCT = 'tristack';

/** The three tiers; each is a Kubernetes Service of the same name. */
export type Component = 'db' | 'api' | 'front';

export const SERVICE_NAMES = { db: 'db', api: 'api', front: 'front' } as const satisfies Record<
  Component,
  string
>;

export const PORTS = { db: 3306, api: 8000, front: 8080 } as const satisfies Record<
  Component,
  number
>;

/** Image names built by skaffold and compose (the repository part, without registry or tag). */
export const IMAGE_NAMES = { api: 'tristack-api', front: 'tristack-front' } as const;

/** The API routes the probes and the scraper use. */
export const API_ROUTES = {
  readiness: '/status',
  liveness: '/healthz',
  metrics: '/metrics',
} as const;

/** Runtime users baked into the images (see the Dockerfiles and the mysql image). */
export const RUNTIME_UIDS = { db: 999, api: 1000, front: 82 } as const satisfies Record<
  Component,
  number
>;

/** Labels every object carries; `component` is added by the tier that owns the object. */
export const COMMON_LABELS = {
  'app.kubernetes.io/name': PRODUCT,
  'app.kubernetes.io/part-of': PRODUCT,
  'app.kubernetes.io/managed-by': 'cdk8s',
} as const;

export const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** The labels that identify one tier's pods: used both as selector and as pod template labels. */
export function selectorLabels(component: Component): Record<string, string> {
  return { 'app.kubernetes.io/name': PRODUCT, [COMPONENT_LABEL]: component };
}

/** Pod template labels: the selector labels plus the common ones. */
export function podLabels(component: Component): Record<string, string> {
  return { ...COMMON_LABELS, ...selectorLabels(component) };
}
