// Runs Debian's docker-compose 1.29 (`.ci/run` installs it) on a compose document: its own
// validation, and the resolved configuration (.env interpolated, ports and paths normalised).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from './repo.ts';

const run = promisify(execFile);
const DOCKER_COMPOSE = 'docker-compose';
const DOCKER_COMPOSE_TIMEOUT_MS = 20_000;

export type ComposeResult =
  | { ok: true; config: ResolvedCompose }
  | { ok: false; problems: string[] };

/** The parts of `docker-compose config` output the checks read. */
export interface ResolvedCompose {
  services: Record<string, ResolvedService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
}

export interface ResolvedService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string | number | null>;
  command?: string[] | string;
  /** docker-compose 1.29 prints a port with a host address as "IP:PUBLISHED:TARGET/tcp". */
  ports?: ({ published?: number | string; target: number; host_ip?: string } | string)[];
  healthcheck?: { test?: string[] | string; interval?: string; disable?: boolean };
  /** As written: a duration such as 20s or 1m30s. */
  stop_grace_period?: string;
  depends_on?: Record<string, { condition: string }>;
  networks?: Record<string, unknown>;
  volumes?: string[];
  read_only?: boolean;
  tmpfs?: string[] | string;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  restart?: string;
  user?: string;
  secrets?: (string | { source: string })[];
  profiles?: string[];
  entrypoint?: string[];
}

/**
 * Resolves a compose document as `docker compose up` would from the repository root, with the
 * given .env text. The caller's environment is left out on purpose: a MYSQL_USER exported in the
 * shell would otherwise win over .env and hide a broken file.
 */
export function resolveCompose(document: unknown, envText: string): Promise<ComposeResult> {
  return resolveComposeFiles([document], envText);
}

/** Like resolveCompose, for a base file plus overrides (`-f base -f override`), merged in order. */
export async function resolveComposeFiles(
  documents: unknown[],
  envText: string,
): Promise<ComposeResult> {
  const folder = await mkdtemp(join(tmpdir(), 'tristack-compose-'));
  try {
    const envPath = join(folder, '.env');
    await writeFile(envPath, envText);
    const fileArgs: string[] = [];
    for (const [index, document] of documents.entries()) {
      const path = join(folder, `compose-${index}.yml`);
      await writeFile(path, typeof document === 'string' ? document : stringify(document));
      fileArgs.push('-f', path);
    }
    const args = [...fileArgs, '--project-directory', REPO_ROOT, '--env-file', envPath, 'config'];
    const { stdout } = await run(DOCKER_COMPOSE, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: folder },
      timeout: DOCKER_COMPOSE_TIMEOUT_MS,
    });
    return { ok: true, config: parse(stdout) as ResolvedCompose };
  } catch (error) {
    return { ok: false, problems: [describeFailure(error)] };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function describeFailure(error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { stderr?: string };
  if (failure.code === 'ENOENT') {
    return `${DOCKER_COMPOSE} is not installed (apt-get install docker-compose; .ci/run does it)`;
  }
  // The first paragraph names the problem; the rest is generic advice about file versions.
  const output = failure.stderr?.trim() || failure.message;
  const firstParagraph = output.split(/\n\s*\n/)[0] ?? output;
  return `docker-compose config: ${firstParagraph.replace(/\s*\n\s*/g, ' ')}`;
}

/** The only host address docker-compose.yml publishes ports on: it is for one machine. */
export const PUBLISH_ADDRESS = '127.0.0.1';

export interface PublishedPort {
  hostIp?: string;
  published?: string;
  target: number;
}

/** A service's published ports in one shape, whichever form docker-compose printed them in. */
export function publishedPorts(service: ResolvedService): PublishedPort[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'string') {
      const parts = port.split('/')[0]?.split(':') ?? [];
      const target = Number(parts.at(-1));
      if (parts.length === 3) return { hostIp: parts[0], published: parts[1], target };
      return parts.length === 2 ? { published: parts[0], target } : { target };
    }
    return {
      ...(port.host_ip ? { hostIp: port.host_ip } : {}),
      ...(port.published !== undefined ? { published: String(port.published) } : {}),
      target: port.target,
    };
  });
}
