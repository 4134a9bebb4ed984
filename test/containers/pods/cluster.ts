// A rendered environment's namespace on the private engine: a network of its own, a stand-in for
// each Service (a ClusterIP Service is a TCP proxy on an address of its own on that network,
// sending new connections to the ready pods it selects, as kube-proxy does; a headless Service is
// a DNS name of the pods it selects), and the pods, started and stopped the kubelet's way.
// What this does not model is listed in docs/kubernetes.md ("How the pods are proven").
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backend, LoadBalancer } from '../../../api/test/support/load-balancer.ts';
import { docker, runCommand } from '../support/engine.ts';
import { type K8sObject, type Rendered, selects } from './manifests.ts';
import { Pod, type PodHost } from './pod.ts';
import { type PodPlan, podPlan } from './pod-spec.ts';

/** Outside the private engine's own address pool (10.213.0.0/17), so never a Compose network. */
const SUBNET_PREFIX = '10.213';
const FIRST_SUBNET = 200;
/** Pods take addresses from the lower half; Services from .201 up. */
const FIRST_SERVICE_ADDRESS = 201;
const CLUSTER_LABEL = 'tristack.pods.cluster';
/** Every pod also sees the API server's Service; nothing here answers on it. */
const KUBERNETES_SERVICE_ADDRESS = `${SUBNET_PREFIX}.255.1`;

interface ServiceStandIn {
  name: string;
  object: K8sObject;
  address: string | undefined;
  proxies: { port: number; targetPort: number | string; balancer: LoadBalancer }[];
}

export class PodCluster {
  readonly pods: Pod[] = [];
  private readonly services: ServiceStandIn[] = [];
  private readonly backends = new Map<Pod, Map<LoadBalancer, Backend>>();

  private constructor(
    readonly name: string,
    readonly rendered: Rendered,
    private readonly subnet: string,
    private readonly bridge: string,
    private readonly stateDir: string,
  ) {}

  /** A fresh namespace for RENDERED; SLOT picks its subnet, so two clusters never share one. */
  static async create(rendered: Rendered, slot: number): Promise<PodCluster> {
    const name = `tristack-pods-${slot}-${rendered.environment}`;
    const subnet = `${SUBNET_PREFIX}.${FIRST_SUBNET + slot}`;
    const bridge = `tspods${slot}`;
    const cluster = new PodCluster(name, rendered, subnet, bridge, join(tmpdir(), name));
    await cluster.removeLeftovers();
    await docker([
      'network',
      'create',
      '--subnet',
      `${subnet}.0/24`,
      '--ip-range',
      `${subnet}.0/25`,
      '--opt',
      `com.docker.network.bridge.name=${bridge}`,
      '--label',
      `${CLUSTER_LABEL}=${name}`,
      name,
    ]);
    await cluster.startServices();
    return cluster;
  }

  get namespace(): string {
    return this.objects('Namespace')[0]?.metadata.name ?? 'default';
  }

  /** The plan of a workload (`Deployment/api`) in this environment. */
  plan(workload: string): PodPlan {
    return podPlan(this.rendered, workload);
  }

  /** Starts a pod of PLAN and registers it with the Services that select it. */
  async startPod(plan: PodPlan, ordinal = 0): Promise<Pod> {
    const pod = await Pod.start(plan, ordinal, this.host());
    this.pods.push(pod);
    const address = await pod.address();
    const backends = new Map<LoadBalancer, Backend>();
    for (const service of this.services) {
      if (!selects(service.object.spec.selector, pod.labels)) continue;
      for (const proxy of service.proxies) {
        const backend = { host: address, port: targetPort(proxy.targetPort, plan) };
        proxy.balancer.add(backend);
        backends.set(proxy.balancer, backend);
      }
    }
    this.backends.set(pod, backends);
    // The endpoints controller: a pod is an endpoint while every container is ready.
    const update = () => {
      const ready = pod.containers.every((container) => container.prober.ready);
      for (const [balancer, backend] of backends) balancer.setReady(backend, ready);
    };
    for (const container of pod.containers) container.prober.onReadinessChange(update);
    update();
    return pod;
  }

  /** Takes the pod out of every Service at once, as deleting a pod does, before it is stopped. */
  removeEndpoints(pod: Pod): void {
    for (const [balancer, backend] of this.backends.get(pod) ?? []) balancer.remove(backend);
  }

  /** `kubectl delete pod`: endpoints gone, then preStop, the stop signal and the grace period. */
  async deletePod(pod: Pod, options: { withPreStop?: boolean } = {}) {
    this.removeEndpoints(pod);
    const exits = await pod.terminate(options.withPreStop ?? true);
    await pod.remove();
    this.pods.splice(this.pods.indexOf(pod), 1);
    return exits;
  }

  /** The address a ClusterIP Service answers on, from the host and from every pod. */
  serviceUrl(name: string, port: number): string {
    const service = this.services.find((candidate) => candidate.name === name);
    if (!service?.address) throw new Error(`${this.name}: no ClusterIP Service ${name}`);
    return `http://${service.address}:${port}`;
  }

  /** Everything of the cluster goes: containers, network, claim volumes, files, proxies. */
  async destroy(): Promise<void> {
    for (const pod of [...this.pods].reverse()) await pod.remove();
    this.pods.length = 0;
    for (const service of this.services) {
      for (const proxy of service.proxies) await proxy.balancer.stop();
    }
    await this.removeLeftovers();
  }

  private objects(kind: string): K8sObject[] {
    return this.rendered.objects.filter((object) => object.kind === kind);
  }

  private async removeLeftovers(): Promise<void> {
    const filter = ['--filter', `label=${CLUSTER_LABEL}=${this.name}`];
    const containers = (await docker(['ps', '--all', '--quiet', ...filter])).stdout
      .split('\n')
      .filter(Boolean);
    if (containers.length) await docker(['rm', '--force', '--volumes', ...containers]);
    const volumes = (await docker(['volume', 'ls', '--quiet', ...filter])).stdout
      .split('\n')
      .filter(Boolean);
    if (volumes.length) await docker(['volume', 'rm', '--force', ...volumes]);
    await docker(['network', 'rm', this.name]).catch(() => undefined);
    await rm(this.stateDir, { recursive: true, force: true });
  }

  private async startServices(): Promise<void> {
    let next = FIRST_SERVICE_ADDRESS;
    for (const object of this.objects('Service')) {
      const headless = object.spec.clusterIP === 'None';
      const address = headless ? undefined : `${this.subnet}.${next++}`;
      const service: ServiceStandIn = { name: object.metadata.name, object, address, proxies: [] };
      if (address) {
        await runCommand('ip', ['address', 'add', `${address}/32`, 'dev', this.bridge]);
        for (const port of object.spec.ports ?? []) {
          const balancer = await LoadBalancer.start([], {
            host: address,
            port: port.port,
            readiness: 'external',
          });
          service.proxies.push({
            port: port.port,
            targetPort: port.targetPort ?? port.port,
            balancer,
          });
        }
      }
      this.services.push(service);
    }
  }

  private host(): PodHost {
    const namespace = this.namespace;
    const clusterIpServices = this.services.filter((service) => service.address);
    return {
      name: this.name,
      namespace,
      network: this.name,
      stateDir: this.stateDir,
      labels: { [CLUSTER_LABEL]: this.name },
      // Inside a cluster `api` resolves through the search path to the Service's address.
      serviceHosts: clusterIpServices.flatMap((service) =>
        [
          service.name,
          `${service.name}.${namespace}`,
          `${service.name}.${namespace}.svc`,
          `${service.name}.${namespace}.svc.cluster.local`,
        ].map((host) => `${host}:${service.address}`),
      ),
      aliasesFor: (plan, podName) =>
        this.services
          .filter(
            (service) => !service.address && selects(service.object.spec.selector, plan.labels),
          )
          .flatMap((service) => [
            service.name,
            ...(plan.stableIdentity?.serviceName === service.name
              ? [`${podName}.${service.name}`]
              : []),
          ]),
      serviceLinks: serviceLinks(clusterIpServices),
    };
  }
}

/** A Service's targetPort, by number or by the name of a container port of the plan. */
function targetPort(target: number | string, plan: PodPlan): number {
  if (typeof target === 'number') return target;
  for (const container of plan.containers) {
    const port = container.ports.find((candidate) => candidate.name === target);
    if (port) return port.containerPort;
  }
  throw new Error(`${plan.workload}: no container port named ${target} for a Service`);
}

/** The variables the kubelet adds for each ClusterIP Service (enableServiceLinks, on by default). */
function serviceLinks(services: ServiceStandIn[]): [string, string][] {
  const links: [string, string][] = [
    ['KUBERNETES_SERVICE_HOST', KUBERNETES_SERVICE_ADDRESS],
    ['KUBERNETES_SERVICE_PORT', '443'],
    ['KUBERNETES_PORT', `tcp://${KUBERNETES_SERVICE_ADDRESS}:443`],
  ];
  for (const service of services) {
    const prefix = service.name.toUpperCase().replace(/-/g, '_');
    const [first] = service.proxies;
    if (!first || !service.address) continue;
    links.push(
      [`${prefix}_SERVICE_HOST`, service.address],
      [`${prefix}_SERVICE_PORT`, String(first.port)],
      [`${prefix}_PORT`, `tcp://${service.address}:${first.port}`],
    );
    for (const proxy of service.proxies) {
      const base = `${prefix}_PORT_${proxy.port}_TCP`;
      links.push(
        [base, `tcp://${service.address}:${proxy.port}`],
        [`${base}_PROTO`, 'tcp'],
        [`${base}_PORT`, String(proxy.port)],
        [`${base}_ADDR`, service.address],
      );
    }
  }
  return links;
}
