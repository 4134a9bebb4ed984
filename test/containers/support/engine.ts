// The tier's private Docker engine (engine/engine.sh) as the tests see it: the docker and
// docker-compose commands pointed at its socket, and its log for failing tests.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const ENGINE_SCRIPT = fileURLToPath(new URL('../engine/engine.sh', import.meta.url));
/** Debian's client: a newer `docker` earlier on PATH may want the buildx plugin Debian lacks. */
export const DOCKER = '/usr/bin/docker';
export const DOCKER_COMPOSE = '/usr/bin/docker-compose';
/** The variable that leaves the tier out on purpose; `.ci/run` never sets it. */
export const SKIP_VARIABLE = 'SKIP_CONTAINER_TIER';
const COMMAND_TIMEOUT_MS = 120_000;
const LOG_TAIL_LINES = 40;

export function tierSkipped(): boolean {
  return process.env[SKIP_VARIABLE] === '1';
}

function engineScript(command: 'start' | 'stop' | 'status' | 'host' | 'log') {
  return spawnSync('bash', [ENGINE_SCRIPT, command], { encoding: 'utf8' });
}

export const DOCKER_HOST = engineScript('host').stdout.trim();

/** The environment every docker and docker-compose call of the tier runs with. */
export function engineEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // /usr/bin first, so docker-compose's BuildKit builds call Debian's docker client too.
    PATH: `/usr/bin:${process.env.PATH ?? '/bin'}`,
    DOCKER_HOST,
    DOCKER_BUILDKIT: '1',
    COMPOSE_DOCKER_CLI_BUILD: '1',
    ...extra,
  };
}

export function engineAnswers(): boolean {
  return engineScript('status').status === 0;
}

/** Starts the engine unless it runs; resolves whether this call started it. */
export function startEngine(): { started: boolean } {
  if (engineAnswers()) return { started: false };
  const result = engineScript('start');
  if (result.status !== 0) {
    const reason = result.stderr.trim().split('\n').at(-1) ?? 'engine.sh start failed';
    throw new Error(reason);
  }
  return { started: true };
}

export function stopEngine(): void {
  engineScript('stop');
}

/** The last lines the engine wrote, for a failing test's report. */
export function engineLogTail(lines = LOG_TAIL_LINES): string {
  const path = engineScript('log').stdout.trim();
  try {
    // containerd's gRPC client reconnect chatter says nothing about what a test did.
    const meaningful = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .filter((line) => !line.includes('module=grpc'));
    return meaningful.slice(-lines).join('\n');
  } catch {
    return `(no engine log at ${path})`;
  }
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string[],
    readonly exitCode: number | string | undefined,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      `${command.join(' ')} exited with ${exitCode}: ${stderr.trim().split('\n').slice(-8).join('\n')}`,
    );
  }
}

/** Any command, with the engine's environment (so docker calls inside it reach the engine). */
export async function runCommand(
  program: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(program, args, {
      env: engineEnv(options.env),
      cwd: options.cwd,
      timeout: options.timeoutMs ?? COMMAND_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return { stdout, stderr };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    throw new CommandError(
      [program, ...args],
      failure.code,
      failure.stdout ?? '',
      failure.stderr ?? failure.message,
    );
  }
}

/** `docker ARGS` on the private engine; rejects with the command's own error output. */
export function docker(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return runCommand(DOCKER, args, options);
}

/** `docker-compose ARGS` on the private engine. */
export function dockerCompose(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return runCommand(DOCKER_COMPOSE, args, options);
}

/** Whether an image is in the engine's store. */
export async function imageExists(reference: string): Promise<boolean> {
  try {
    await docker(['image', 'inspect', '--format', '{{.Id}}', reference]);
    return true;
  } catch {
    return false;
  }
}

/** No registry answers here; where one does, pulling an image takes well under this. */
const PULL_TIMEOUT_MS = 300_000;

/** Whether REFERENCE is in the engine's store, or can be pulled now; if not, why not. */
export async function imageAvailable(
  reference: string,
): Promise<{ available: true } | { available: false; reason: string }> {
  if (await imageExists(reference)) return { available: true };
  try {
    await docker(['pull', '--quiet', reference], { timeoutMs: PULL_TIMEOUT_MS });
    return { available: true };
  } catch (error) {
    const lastLine = (error as Error).message.trim().split('\n').at(-1) ?? '';
    return { available: false, reason: lastLine.replace(/^.*?Error response from daemon: /, '') };
  }
}
