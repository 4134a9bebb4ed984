// Rebuilds the API image's runtime stage natively, from the Dockerfile's own commands: the
// production-only install of the production-dependencies stage, the build stage's output, then
// the final stage's layout (/app/node_modules, /app/api/package.json, /app/api/dist).
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Copy, DockerfileParser } from 'dockerfile-ast';
import { contextFilter } from './build-context.ts';
import { REPO_ROOT, repoPath } from './repo.ts';

const execFileAsync = promisify(execFile);
const INSTALL_TIMEOUT_MS = 120_000;
const OUTPUT_TAIL_CHARS = 4000;
// The RUN lines are simple npm invocations; anything shell-like would need a shell to mirror.
const PLAIN_COMMAND = /^[\w\s=./-]+$/;

/** The RUN command of a named stage, as words, without BuildKit's --mount flags. */
export function stageCommand(dockerfileText: string, stage: string): string[] {
  let current: string | null = null;
  for (const instruction of DockerfileParser.parse(dockerfileText).getInstructions()) {
    if (instruction.getKeyword() === 'FROM')
      current = instruction.getArguments()[2]?.getValue() ?? null;
    if (current === stage && instruction.getKeyword() === 'RUN') {
      const words = instruction
        .getArguments()
        .map((a) => a.getValue())
        .filter((w) => !w.startsWith('--mount='));
      const text = words.join(' ');
      if (!PLAIN_COMMAND.test(text))
        throw new Error(`stage ${stage}: RUN ${text} is not a plain command`);
      return words;
    }
  }
  throw new Error(`api/Dockerfile has no RUN in a stage named ${stage}`);
}

export interface RuntimeStage {
  /** The stage's /app. */
  root: string;
  /** Its WORKDIR, /app/api. */
  workdir: string;
}

/** The context paths a stage's COPY instructions take (COPY --from=... excluded). */
export function stageCopies(
  dockerfileText: string,
  stage: string,
): { source: string; destination: string }[] {
  let current: string | null = null;
  const copies: { source: string; destination: string }[] = [];
  for (const instruction of DockerfileParser.parse(dockerfileText).getInstructions()) {
    if (instruction.getKeyword() === 'FROM')
      current = instruction.getArguments()[2]?.getValue() ?? null;
    if (current !== stage || !(instruction instanceof Copy) || instruction.getFromFlag()) continue;
    const words = instruction.getArguments().map((a) => a.getValue());
    const destination = words.at(-1) ?? '';
    for (const source of words.slice(0, -1)) {
      // A destination ending in / receives the source under its own name, as Docker does.
      copies.push({
        source,
        destination: destination.endsWith('/') ? join(destination, basename(source)) : destination,
      });
    }
  }
  return copies;
}

/**
 * Assembles the runtime stage in fresh temporary folders; /work/main/node_modules is untouched.
 * The build runs in a folder holding only what the dependencies and build stages COPY (plus the
 * repository's installed packages, standing in for the dependencies stage's npm ci), so a build
 * that needs a file the Dockerfile does not copy fails here as it would in docker build.
 */
export async function assembleRuntimeStage(dockerfileText: string): Promise<RuntimeStage> {
  const root = await mkdtemp(join(tmpdir(), 'tristack-runtime-'));
  try {
    return await assembleInto(dockerfileText, root);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function assembleInto(dockerfileText: string, root: string): Promise<RuntimeStage> {
  const workdir = join(root, 'api');
  await mkdir(workdir);
  // production-dependencies stage: its COPYs, then its npm ci. --prefer-offline lets the cache
  // that the repository's own install filled answer, as a builder's cache mount would.
  await copyStage(dockerfileText, 'production-dependencies', root);
  const install = [...stageCommand(dockerfileText, 'production-dependencies'), '--prefer-offline'];
  await run('production-dependencies', install, root);

  const buildRoot = await mkdtemp(join(tmpdir(), 'tristack-build-'));
  try {
    await copyStage(dockerfileText, 'dependencies', buildRoot);
    await copyStage(dockerfileText, 'build', buildRoot);
    await symlink(repoPath('node_modules'), join(buildRoot, 'node_modules'), 'dir');
    // build stage: the same script, writing straight into the runtime layout.
    const build = [
      ...stageCommand(dockerfileText, 'build'),
      '--',
      '--outDir',
      join(workdir, 'dist'),
    ];
    await run('build', build, buildRoot);
  } finally {
    await rm(buildRoot, { recursive: true, force: true });
  }
  // The runtime stage's own COPY from the context (api/package.json).
  await copyStage(dockerfileText, 'runtime', root);
  return { root, workdir };
}

/** Runs one Dockerfile step; a failure names the stage and shows what the command printed. */
async function run(stage: string, command: string[], cwd: string): Promise<void> {
  const [program = '', ...args] = command;
  try {
    await execFileAsync(program, args, { cwd, timeout: INSTALL_TIMEOUT_MS });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`.slice(-OUTPUT_TAIL_CHARS);
    throw new Error(`api/Dockerfile stage ${stage}: \`${command.join(' ')}\` failed:\n${output}`);
  }
}

/** Copies a stage's context files into `folder`, which stands for the stage's WORKDIR /app. */
async function copyStage(dockerfileText: string, stage: string, folder: string): Promise<void> {
  const inContext = contextFilter();
  for (const { source, destination } of stageCopies(dockerfileText, stage)) {
    const target = join(folder, destination.replace(/^\/app\/?/, ''));
    await mkdir(dirname(target), { recursive: true });
    // Through the root .dockerignore, as the builder receives the context.
    await cp(repoPath(source), target, {
      recursive: true,
      filter: (path) => inContext(relative(REPO_ROOT, path)),
    });
  }
}

/** Bytes on disk under a folder, symbolic links counted as links (as an image layer stores them). */
export async function folderBytes(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  const entries = await readdir(path);
  const sizes = await Promise.all(entries.map((entry) => folderBytes(join(path, entry))));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The packages npm installed (workspace links excluded), from its hidden lockfile. */
export async function installedPackages(root: string): Promise<string[]> {
  const lock = JSON.parse(
    await readFile(join(root, 'node_modules/.package-lock.json'), 'utf8'),
  ) as {
    packages: Record<string, { link?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.link)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
}
