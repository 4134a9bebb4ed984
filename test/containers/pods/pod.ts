// One pod of a plan, started on the engine the way a kubelet would hand it to a container
// runtime: the user and groups, the volumes as the kubelet lays them out, the environment with
// the Service links, the command, the limits; then probed, and stopped with preStop and grace.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { docker } from '../support/engine.ts';
import { UnsupportedFieldError } from './fields.ts';
import { ensureClaimVolume, writeProjectedVolume } from './kubelet-volumes.ts';
import type { ContainerPlan, PodPlan, VolumePlan } from './pod-spec.ts';
import { Prober } from './prober.ts';

const MS_PER_SECOND = 1000;
/** The kubelet gives a container at least this long after its preStop hook. */
const MINIMUM_GRACE_SECONDS = 2;
const ROOT_USERS = new Set(['', 'root', '0']);

/** How to mount one of the pod's volumes, by name, in `docker create` arguments. */
type MountArgs = (mount: ContainerPlan['mounts'][number]) => string[];

/** What a pod needs from the cluster it runs in. */
export interface PodHost {
  name: string;
  namespace: string;
  network: string;
  stateDir: string;
  labels: Record<string, string>;
  /** `--add-host` entries: each ClusterIP Service's names and address. */
  serviceHosts: string[];
  /** Network aliases for this pod: headless Services that select it. */
  aliasesFor(plan: PodPlan, podName: string): string[];
  /** The Service environment variables the kubelet adds (enableServiceLinks). */
  serviceLinks: [string, string][];
}

export interface PodContainer {
  plan: ContainerPlan;
  id: string;
  prober: Prober;
}

/** An init container that ran to completion; kept (stopped) until the pod is removed. */
export interface CompletedInitContainer {
  plan: ContainerPlan;
  id: string;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
}

/** How long an init container may run here; the migrations wait up to 300 s for their lock. */
const INIT_CONTAINER_TIMEOUT_MS = 360_000;

export class InitContainerFailedError extends Error {
  override name = 'InitContainerFailedError';
}

export function podName(plan: PodPlan, ordinal: number): string {
  const [, name = 'pod'] = plan.workload.split('/');
  if (plan.stableIdentity) return `${name}-${ordinal}`;
  return `${name}-${randomBytes(4).toString('hex').slice(0, 8)}-${randomBytes(3).toString('hex').slice(0, 5)}`;
}

/** The kubelet's runAsNonRoot check, on the user the container would run as. */
async function verifyRunAsNonRoot(container: ContainerPlan, where: string): Promise<void> {
  if (!container.runAsNonRoot) return;
  if (container.runAsUser !== undefined) {
    if (container.runAsUser === 0)
      throw new Error(`${where}: runAsUser 0 breaks runAsNonRoot (CreateContainerConfigError)`);
    return;
  }
  const user = (
    await docker(['image', 'inspect', '--format', '{{.Config.User}}', container.image])
  ).stdout.trim();
  const uid = user.split(':')[0] ?? '';
  if (ROOT_USERS.has(uid))
    throw new Error(
      `${where}: runAsNonRoot, and image ${container.image} will run as root (CreateContainerConfigError)`,
    );
  if (!/^\d+$/.test(uid)) {
    throw new Error(
      `${where}: runAsNonRoot, and image ${container.image} has the non-numeric user ${uid}: the kubelet cannot verify it (CreateContainerConfigError)`,
    );
  }
}

export class Pod {
  readonly initContainers: CompletedInitContainer[] = [];
  readonly containers: PodContainer[] = [];
  private readonly folder: string;

  private constructor(
    readonly plan: PodPlan,
    readonly name: string,
    private readonly host: PodHost,
  ) {
    this.folder = join(host.stateDir, name);
  }

  /**
   * Runs the pod's init containers in order, each to exit 0, then creates and starts its
   * containers (the first one holds the pod's network). An init container that fails stops the
   * start with its exit code and last lines: a kubelet would retry it with back-off
   * (Init:CrashLoopBackOff) and never start the containers.
   */
  static async start(plan: PodPlan, ordinal: number, host: PodHost): Promise<Pod> {
    const pod = new Pod(plan, podName(plan, ordinal), host);
    try {
      const mountArgs = await pod.prepareVolumes();
      await pod.runInitContainers(mountArgs);
      await pod.startContainers(mountArgs);
    } catch (error) {
      await pod.remove();
      throw error;
    }
    return pod;
  }

  get labels(): Record<string, string> {
    return this.plan.labels;
  }

  /** The pod's IP on the cluster network. */
  async address(): Promise<string> {
    const first = this.containers[0];
    if (!first) throw new Error(`${this.name}: no container`);
    return this.addressOf(first.id);
  }

  private async addressOf(id: string): Promise<string> {
    const format = `{{(index .NetworkSettings.Networks "${this.host.network}").IPAddress}}`;
    return (await docker(['inspect', '--format', format, id])).stdout.trim();
  }

  container(name?: string): PodContainer {
    const found =
      name === undefined ? this.containers[0] : this.containers.find((c) => c.plan.name === name);
    if (!found) throw new Error(`${this.name}: no container ${name ?? ''}`);
    return found;
  }

  /**
   * Stops the pod as the kubelet does once its endpoints are gone: the preStop hook (when
   * WITH_PRE_STOP), then the image's stop signal, then SIGKILL when the grace period runs out.
   * Resolves with each container's exit code and how long it took.
   */
  async terminate(
    withPreStop = true,
  ): Promise<{ container: string; exitCode: number; tookMs: number }[]> {
    const grace = this.plan.terminationGracePeriodSeconds;
    return Promise.all(
      this.containers.map(async ({ plan, id, prober }) => {
        const started = performance.now();
        if (withPreStop && plan.preStop) {
          await docker(['exec', id, ...plan.preStop], { timeoutMs: grace * MS_PER_SECOND }).catch(
            () => undefined,
          );
        }
        const elapsedSeconds = (performance.now() - started) / MS_PER_SECOND;
        const remaining = Math.max(Math.ceil(grace - elapsedSeconds), MINIMUM_GRACE_SECONDS);
        await docker(['stop', '--time', String(remaining), id], {
          timeoutMs: (remaining + 30) * MS_PER_SECOND,
        });
        const tookMs = performance.now() - started;
        await prober.stop();
        const exitCode = Number(
          (await docker(['inspect', '--format', '{{.State.ExitCode}}', id])).stdout.trim(),
        );
        return { container: plan.name, exitCode, tookMs };
      }),
    );
  }

  /** Removes the containers and the pod's files; claim volumes stay, as PVCs do. */
  async remove(): Promise<void> {
    for (const { id, prober } of this.containers) {
      await prober.stop();
      await docker(['rm', '--force', '--volumes', id]).catch(() => undefined);
    }
    for (const { id } of this.initContainers) {
      await docker(['rm', '--force', '--volumes', id]).catch(() => undefined);
    }
    await rm(this.folder, { recursive: true, force: true });
  }

  /** `docker create` arguments for one of the pod's containers, before its network. */
  private createArgs(plan: ContainerPlan, mountArgs: MountArgs, network: string[]): string[] {
    return [
      'create',
      '--name',
      `${this.host.name}_${this.name}_${plan.name}`,
      ...Object.entries({ ...this.host.labels, 'io.kubernetes.pod.name': this.name }).flatMap(
        ([k, v]) => ['--label', `${k}=${v}`],
      ),
      ...network,
      ...userArgs(plan, this.plan),
      ...securityArgs(plan),
      ...limitArgs(plan),
      ...environmentArgs(plan, this.host.serviceLinks),
      ...plan.mounts.flatMap((mount) => mountArgs(mount)),
      '--restart',
      'no',
      ...commandArgs(plan),
    ];
  }

  /**
   * Each init container to completion, in order. No pause container holds the pod's network
   * here, so an init container gets the pod's hostname and Service names on an address of its
   * own, released when it exits; its volumes are the pod's.
   */
  private async runInitContainers(mountArgs: MountArgs): Promise<void> {
    for (const plan of this.plan.initContainers) {
      const where = `${this.plan.workload} ${this.name}/${plan.name} (init)`;
      await verifyRunAsNonRoot(plan, where);
      const network = [
        '--network',
        this.host.network,
        '--hostname',
        this.name,
        ...this.host.serviceHosts.flatMap((entry) => ['--add-host', entry]),
      ];
      const id = (await docker(this.createArgs(plan, mountArgs, network))).stdout.trim();
      await docker(['start', id]);
      const exitCode = Number(
        (await docker(['wait', id], { timeoutMs: INIT_CONTAINER_TIMEOUT_MS })).stdout.trim(),
      );
      const [startedAt = '', finishedAt = ''] = (
        await docker(['inspect', '--format', '{{.State.StartedAt}} {{.State.FinishedAt}}', id])
      ).stdout
        .trim()
        .split(' ');
      this.initContainers.push({ plan, id, exitCode, startedAt, finishedAt });
      if (exitCode !== 0) {
        const { stdout, stderr } = await docker(['logs', '--tail', '5', id]);
        throw new InitContainerFailedError(
          `${where} exited ${exitCode}, so the pod's containers never start: ${(stderr || stdout).trim()}`,
        );
      }
    }
  }

  private async startContainers(mountArgs: MountArgs): Promise<void> {
    for (const [index, plan] of this.plan.containers.entries()) {
      const where = `${this.plan.workload} ${this.name}/${plan.name}`;
      await verifyRunAsNonRoot(plan, where);
      const network =
        index === 0 ? this.networkArgs() : ['--network', `container:${this.containers[0]?.id}`];
      const id = (await docker(this.createArgs(plan, mountArgs, network))).stdout.trim();
      await docker(['start', id]);
      const address = index === 0 ? await this.addressOf(id) : await this.address();
      const prober = new Prober(plan.probes, { container: id, address: () => address });
      this.containers.push({ plan, id, prober });
    }
  }

  private networkArgs(): string[] {
    const aliases = this.host.aliasesFor(this.plan, this.name);
    return [
      '--network',
      this.host.network,
      '--hostname',
      this.name,
      ...aliases.flatMap((alias) => ['--network-alias', alias]),
      ...this.host.serviceHosts.flatMap((entry) => ['--add-host', entry]),
    ];
  }

  /** Lays out every volume of the pod; returns how to mount each by name. */
  private async prepareVolumes(): Promise<MountArgs> {
    const byName = new Map<string, VolumePlan>(
      this.plan.volumes.map((volume) => [volume.name, volume]),
    );
    const prepared = new Map<string, string>();
    for (const volume of this.plan.volumes) {
      if (volume.kind === 'files') {
        const folder = join(this.folder, 'volumes', volume.name);
        await mkdir(folder, { recursive: true });
        await writeProjectedVolume(folder, volume.files, this.plan.fsGroup);
        prepared.set(volume.name, folder);
      } else if (volume.kind === 'claim') {
        // A claim template's claim is the pod's own (`data-db-0`); a named claim is shared.
        const claim = volume.perPod
          ? `${this.host.name}_${volume.claimName}-${this.name}`
          : `${this.host.name}_${volume.claimName}`;
        await ensureClaimVolume(
          claim,
          this.host.labels,
          this.plan.fsGroup,
          this.plan.fsGroupChangePolicy,
        );
        prepared.set(volume.name, claim);
      }
    }
    return (mount) => {
      const volume = byName.get(mount.volume);
      if (!volume)
        throw new UnsupportedFieldError(`${this.plan.workload}: no volume ${mount.volume}`);
      if (volume.kind === 'emptyDir') {
        // The kubelet's emptyDir is a 0777 folder, group-owned by the fsGroup with setgid; here a
        // tmpfs capped at sizeLimit (the kubelet evicts the pod instead), executable like a folder.
        const options = ['rw', 'exec', 'mode=2777'];
        if (volume.sizeLimitBytes !== undefined) options.push(`size=${volume.sizeLimitBytes}`);
        if (this.plan.fsGroup !== undefined) options.push(`gid=${this.plan.fsGroup}`);
        return ['--tmpfs', `${mount.mountPath}:${options.join(',')}`];
      }
      const source = prepared.get(mount.volume) ?? '';
      if (volume.kind === 'files') {
        // ConfigMap and Secret volumes are always mounted read-only.
        return ['--mount', `type=bind,source=${source},target=${mount.mountPath},readonly`];
      }
      const readOnly = mount.readOnly ? ',readonly' : '';
      return [
        '--mount',
        `type=volume,source=${source},target=${mount.mountPath},volume-nocopy${readOnly}`,
      ];
    };
  }
}

function userArgs(container: ContainerPlan, pod: PodPlan): string[] {
  const args: string[] = [];
  if (container.runAsUser !== undefined) {
    args.push(
      '--user',
      container.runAsGroup === undefined
        ? String(container.runAsUser)
        : `${container.runAsUser}:${container.runAsGroup}`,
    );
  } else if (container.runAsGroup !== undefined) {
    throw new UnsupportedFieldError(
      `${pod.workload}/${container.name}: runAsGroup without runAsUser cannot be modelled`,
    );
  }
  const groups = [...(pod.fsGroup === undefined ? [] : [pod.fsGroup]), ...pod.supplementalGroups];
  for (const group of groups) args.push('--group-add', String(group));
  return args;
}

function securityArgs(container: ContainerPlan): string[] {
  return [
    ...(container.readOnlyRootFilesystem ? ['--read-only'] : []),
    ...(container.allowPrivilegeEscalation ? [] : ['--security-opt', 'no-new-privileges']),
    ...container.capabilitiesDrop.flatMap((capability) => ['--cap-drop', capability]),
    ...container.capabilitiesAdd.flatMap((capability) => ['--cap-add', capability]),
  ];
}

function limitArgs(container: ContainerPlan): string[] {
  const args: string[] = [];
  // The kubelet runs containers without swap, so the memory limit is the whole limit.
  if (container.memoryLimitBytes !== undefined) {
    args.push(
      '--memory',
      String(container.memoryLimitBytes),
      '--memory-swap',
      String(container.memoryLimitBytes),
    );
  }
  if (container.cpuLimit !== undefined) args.push('--cpus', String(container.cpuLimit));
  return args;
}

/** The container's own variables, then each Service link it does not set itself. */
function environmentArgs(container: ContainerPlan, serviceLinks: [string, string][]): string[] {
  const own = new Set(container.env.map(([name]) => name));
  const all = [...container.env, ...serviceLinks.filter(([name]) => !own.has(name))];
  return all.flatMap(([name, value]) => ['--env', `${name}=${value}`]);
}

/** `command` replaces the image's ENTRYPOINT, `args` its CMD. */
function commandArgs(container: ContainerPlan): string[] {
  if (container.command) {
    const [entrypoint = '', ...rest] = container.command;
    return ['--entrypoint', entrypoint, container.image, ...rest, ...(container.args ?? [])];
  }
  return [container.image, ...(container.args ?? [])];
}
