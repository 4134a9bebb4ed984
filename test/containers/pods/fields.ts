// The harness reads a pod spec field by field. Every field of the rendered objects is either
// modelled, or knowingly not modelled with the reason (scheduling, rollouts, controllers); any
// other field stops the tier with its path, so the chart cannot grow something the pods here
// would silently run without.

export class UnsupportedFieldError extends Error {
  override name = 'UnsupportedFieldError';
}

/** `model`: the translation reads it. A string: not modelled, and why. */
export type FieldRule = 'model' | { notModelled: string };

export const NOT_MODELLED = {
  scheduling: { notModelled: 'scheduling: one engine, no nodes to choose between' },
  rollout: { notModelled: 'rollouts: the tests replace containers themselves' },
  identity: { notModelled: 'no API server: a ServiceAccount has nothing to authenticate to' },
  controllers: { notModelled: 'read by controllers and scrapers, not by the kubelet' },
  requests: { notModelled: 'requests only weigh in scheduling; limits are enforced' },
  jobs: {
    notModelled: 'the CronJob and Job controllers: the tests run the job template pod once',
  },
} as const satisfies Record<string, FieldRule>;

/** Throws, naming PATH.field, for the first field of OBJECT that RULES do not list. */
export function checkFields(
  object: Record<string, unknown> | undefined,
  path: string,
  rules: Record<string, FieldRule>,
): void {
  for (const field of Object.keys(object ?? {})) {
    if (!(field in rules)) {
      throw new UnsupportedFieldError(
        `${path}.${field}: the pod harness does not know this field, so it cannot run what the chart asks (see docs/kubernetes.md, "How the pods are proven")`,
      );
    }
  }
}

/** Throws unless VALUE is one of ALLOWED, naming the field and what the harness can model. */
export function checkValue<T>(value: T, path: string, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new UnsupportedFieldError(
      `${path}: ${JSON.stringify(value)} cannot be modelled here (only ${allowed.map((a) => JSON.stringify(a)).join(', ')})`,
    );
  }
}
