// Reads the synthesized Kubernetes objects through the interface k8s/src/app.ts exports,
// `buildManifests(environment)`. Loaded lazily so a missing module fails the
// tests that need it with one clear sentence, not the whole file at import time.

export type Manifest = Record<string, unknown> & {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
};
type BuildManifests = (environment: string) => Manifest[];

const APP_MODULE = new URL('../../k8s/src/app.ts', import.meta.url).href;
export const ENVIRONMENTS = ['dev', 'prod'] as const;

export async function loadManifests(environment: string): Promise<Manifest[]> {
  let buildManifests: unknown;
  try {
    ({ buildManifests } = (await import(/* @vite-ignore */ APP_MODULE)) as {
      buildManifests?: unknown;
    });
  } catch (error) {
    throw new Error(
      `k8s/src/app.ts cannot be loaded (${(error as Error).message}); it must export buildManifests(environment)`,
    );
  }
  if (typeof buildManifests !== 'function') {
    throw new Error(
      'k8s/src/app.ts must export buildManifests(environment: string): Record<string, unknown>[]',
    );
  }
  return (buildManifests as BuildManifests)(environment);
}

export interface Container {
  name: string;
  image?: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}

export interface Probe {
  httpGet?: { path?: string; port?: number | string };
}

interface PodSpec {
  containers?: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** The pod spec of the workload labelled with this component. */
export function podSpecOf(manifests: Manifest[], component: string): PodSpec {
  const workload = manifests.find(
    (m) => WORKLOADS.has(m.kind ?? '') && m.metadata?.labels?.[COMPONENT_LABEL] === component,
  ) as { spec?: { template?: { spec?: PodSpec } } } | undefined;
  const spec = workload?.spec?.template?.spec;
  if (!spec)
    throw new Error(`no Deployment or StatefulSet labelled ${COMPONENT_LABEL}=${component}`);
  return spec;
}

/** The component's main container: the one named after it, else the first. */
export function mainContainer(manifests: Manifest[], component: string): Container {
  const containers = podSpecOf(manifests, component).containers ?? [];
  const container = containers.find((c) => c.name === component) ?? containers[0];
  if (!container) throw new Error(`the ${component} workload has no container`);
  return container;
}

/** Every env var name a container gets: `env` entries plus the keys of envFrom ConfigMaps/Secrets. */
export function environmentNames(manifests: Manifest[], container: Container): string[] {
  const fromSources = (container.envFrom ?? []).flatMap((source) => {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const object = manifests.find((m) => m.kind === kind && m.metadata?.name === ref?.name) as
      | { data?: Record<string, string>; stringData?: Record<string, string> }
      | undefined;
    if (!object)
      throw new Error(`envFrom names ${kind} ${ref?.name}, which is not among the manifests`);
    return Object.keys({ ...object.data, ...object.stringData });
  });
  return [...(container.env ?? []).map((entry) => entry.name), ...fromSources];
}

/** The ConfigMap data mounted at `mountPath` in the component's pod, if any. */
export function configMapMountedAt(
  manifests: Manifest[],
  component: string,
  mountPath: string,
): Record<string, string> | undefined {
  const spec = podSpecOf(manifests, component);
  const mount = mainContainer(manifests, component).volumeMounts?.find(
    (m) => m.mountPath.replace(/\/$/, '') === mountPath.replace(/\/$/, ''),
  );
  const volume = spec.volumes?.find((v) => v.name === mount?.name);
  const configMap = manifests.find(
    (m) => m.kind === 'ConfigMap' && m.metadata?.name === volume?.configMap?.name,
  ) as { data?: Record<string, string> } | undefined;
  return configMap?.data;
}

/** The HTTP paths of every probe of a container. */
export function probePaths(container: Container): string[] {
  return [container.readinessProbe, container.livenessProbe, container.startupProbe]
    .map((probe) => probe?.httpGet?.path)
    .filter((path): path is string => Boolean(path));
}
