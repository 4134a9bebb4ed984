// Volumes laid out on the host as the kubelet lays them out, then handed to the engine:
// - ConfigMap and Secret files through the kubelet's atomic writer (`..<timestamp>/` holds the
//   files, `..data` points at it, each key is a link through `..data`), root-owned, in the
//   volume's mode, mounted read-only;
// - fsGroup applied as pkg/volume/volume_linux.go does: group ownership to the fsGroup, the group
//   bits OR-ed in (r for read-only volumes, rw otherwise), setgid and x on directories;
// - a claim as a named volume (it outlives the container), empty on first use (no copy of the
//   image's folder, unlike a Docker volume), its ownership changed per fsGroupChangePolicy.
import { chmod, lchown, lstat, mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { docker } from '../support/engine.ts';
import type { ProjectedFile } from './pod-spec.ts';

const READ_ONLY_GROUP_BITS = 0o440;
const READ_WRITE_GROUP_BITS = 0o660;
const DIRECTORY_EXTRA_BITS = 0o2110; // setgid, and x for owner and group
/** The atomic writer's folder modes: the volume root (a tmpfs for Secrets), its payload folder. */
const VOLUME_ROOT_MODE = 0o1777;
const PAYLOAD_DIRECTORY_MODE = 0o755;

/** Writes FILES into FOLDER as the kubelet's atomic writer does; the folder is then bind-mounted. */
export async function writeProjectedVolume(
  folder: string,
  files: ProjectedFile[],
  fsGroup: number | undefined,
): Promise<void> {
  const payload = `..${new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_')}`;
  await mkdir(join(folder, payload), { recursive: true });
  await chmod(folder, VOLUME_ROOT_MODE);
  await chmod(join(folder, payload), PAYLOAD_DIRECTORY_MODE);
  for (const file of files) {
    const target = join(folder, payload, file.path);
    await mkdir(dirname(target), { recursive: true, mode: PAYLOAD_DIRECTORY_MODE });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
  }
  await symlink(payload, join(folder, '..data'));
  const topLevel = new Set(files.map((file) => file.path.split('/')[0] ?? file.path));
  for (const entry of topLevel) await symlink(join('..data', entry), join(folder, entry));
  if (fsGroup !== undefined) await applyFsGroup(folder, fsGroup, READ_ONLY_GROUP_BITS);
}

/**
 * The kubelet's SetVolumeOwnership: every file and folder under ROOT_FOLDER gets the group
 * FS_GROUP and the group bits; links are re-owned but never chmod-ed (that would follow them).
 */
export async function applyFsGroup(
  rootFolder: string,
  fsGroup: number,
  groupBits: number,
): Promise<void> {
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    await lchown(path, info.uid, fsGroup);
    if (info.isSymbolicLink()) return;
    const extra = info.isDirectory() ? groupBits | DIRECTORY_EXTRA_BITS : groupBits;
    await chmod(path, (info.mode & 0o7777) | extra);
    if (info.isDirectory()) {
      for (const entry of await readdir(path)) await visit(join(path, entry));
    }
  };
  await visit(rootFolder);
}

/**
 * A claim's named volume, created on first use and kept after. Ownership follows the pod's
 * fsGroupChangePolicy: OnRootMismatch skips the walk when the root already has the group and
 * its bits; Always (the default) walks every time.
 */
export async function ensureClaimVolume(
  volume: string,
  labels: Record<string, string>,
  fsGroup: number | undefined,
  changePolicy: 'OnRootMismatch' | 'Always',
): Promise<void> {
  const exists = await docker(['volume', 'inspect', volume]).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await docker([
      'volume',
      'create',
      ...Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
      volume,
    ]);
  }
  if (fsGroup === undefined) return;
  const mountpoint = (
    await docker(['volume', 'inspect', '--format', '{{.Mountpoint}}', volume])
  ).stdout.trim();
  const root = await stat(mountpoint);
  const rootMatches =
    root.gid === fsGroup &&
    (root.mode & READ_WRITE_GROUP_BITS) === READ_WRITE_GROUP_BITS &&
    (root.mode & 0o2000) !== 0;
  if (changePolicy === 'OnRootMismatch' && rootMatches) return;
  await applyFsGroup(mountpoint, fsGroup, READ_WRITE_GROUP_BITS);
}
