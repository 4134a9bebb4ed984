// The repository's own docker-compose.yml, run by docker-compose 1.29 on the private engine under
// a project name of the tier's own, with the ports published on free loopback ports and the base
// images of the tier (official or stand-in) passed through the file's own variables.
import { parse } from 'yaml';
import { freePort } from '../../../scripts/lib/ports.ts';
import type { ResolvedCompose } from '../../support/docker-compose.ts';
import { REPO_ROOT, repoPath } from '../../support/repo.ts';
import type { BaseImages } from './base-images.ts';
import { docker, dockerCompose } from './engine.ts';

const COMPOSE_FILE = repoPath('docker-compose.yml');
/** `up --build` of the whole stack: image builds, the db's first boot, three healthchecks. */
const UP_TIMEOUT_MS = 600_000;

/** The variables docker-compose.yml publishes ports with; each gets a free loopback port. */
const PUBLISHED_PORT_VARIABLES = ['API_PORT', 'FRONT_PORT', 'PROMETHEUS_PORT', 'GRAFANA_PORT'];

export interface ContainerState {
  id: string;
  pid: number;
  health: string | undefined;
  exitCode: number;
  restartCount: number;
}

export class ComposeProject {
  private constructor(
    readonly name: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly extraFiles: string[],
  ) {}

  /** A project named NAME on free host ports; EXTRA_FILES are `-f` overrides after the real file. */
  static async create(
    name: string,
    baseImages: BaseImages,
    extraFiles: string[] = [],
  ): Promise<ComposeProject> {
    const env: NodeJS.ProcessEnv = {};
    for (const variable of PUBLISHED_PORT_VARIABLES) env[variable] = String(await freePort());
    for (const image of Object.values(baseImages)) env[image.variable] = image.reference;
    return new ComposeProject(name, env, extraFiles);
  }

  get frontUrl(): string {
    return `http://127.0.0.1:${this.env.FRONT_PORT}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.env.API_PORT}`;
  }

  get prometheusUrl(): string {
    return `http://127.0.0.1:${this.env.PROMETHEUS_PORT}`;
  }

  get grafanaUrl(): string {
    return `http://127.0.0.1:${this.env.GRAFANA_PORT}`;
  }

  /** docker-compose with this project's name, files and variables, from the repository root. */
  compose(args: string[], timeoutMs?: number) {
    const files = [COMPOSE_FILE, ...this.extraFiles].flatMap((file) => ['-f', file]);
    return dockerCompose(['--project-name', this.name, ...files, ...args], {
      cwd: REPO_ROOT,
      env: this.env,
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  }

  up(args: string[] = []) {
    return this.compose(['up', '--detach', ...args], UP_TIMEOUT_MS);
  }

  /** `down --volumes`: nothing of the project stays in the engine. */
  down() {
    return this.compose(
      ['down', '--volumes', '--remove-orphans', '--timeout', '60'],
      UP_TIMEOUT_MS,
    );
  }

  /** The configuration docker-compose resolves from the files and variables. */
  async config(profiles: string[] = []): Promise<ResolvedCompose> {
    const profileArgs = profiles.flatMap((profile) => ['--profile', profile]);
    return parse((await this.compose([...profileArgs, 'config'])).stdout);
  }

  async containerId(service: string): Promise<string> {
    const { stdout } = await this.compose(['ps', '--quiet', service]);
    const id = stdout.trim().split('\n')[0];
    if (!id) throw new Error(`${this.name}: no container for ${service}`);
    return id;
  }

  async state(service: string): Promise<ContainerState> {
    const id = await this.containerId(service);
    const format = '{{json .State}}\t{{.RestartCount}}';
    const [state = '{}', restarts = '0'] = (
      await docker(['inspect', '--format', format, id])
    ).stdout
      .trim()
      .split('\t');
    const parsed = JSON.parse(state) as {
      Pid: number;
      Health?: { Status: string };
      ExitCode: number;
    };
    return {
      id,
      pid: parsed.Pid,
      health: parsed.Health?.Status,
      exitCode: parsed.ExitCode,
      restartCount: Number(restarts),
    };
  }

  /** The USER the service's image declares ('' when none: it would run as root). */
  async imageUser(service: string): Promise<string> {
    const id = await this.containerId(service);
    const image = (await docker(['inspect', '--format', '{{.Image}}', id])).stdout.trim();
    return (
      await docker(['image', 'inspect', '--format', '{{.Config.User}}', image])
    ).stdout.trim();
  }

  /** What the service wrote, stdout and stderr apart (the engine keeps them apart). */
  async logs(service: string) {
    return docker(['logs', await this.containerId(service)]);
  }
}
