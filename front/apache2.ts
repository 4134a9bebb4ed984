// Debian's apache2 running the repository's front/httpd.conf unchanged, as a non-root user, the
// way the httpd:2.4-alpine image runs it: only `-d` (a ServerRoot laid out like the image's) and
// `-C "Define ..."` (port, upstream, folders) differ. The front's tests and the benchmark both
// start httpd from here; each spawns and stops the command its own way.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APACHE_BINARY = '/usr/sbin/apache2';
export const FRONT_DIR = fileURLToPath(new URL('./', import.meta.url));
export const HTTPD_CONF = fileURLToPath(new URL('./httpd.conf', import.meta.url));
const DEBIAN_MODULES_DIR = '/usr/lib/apache2/modules';
const SYSTEM_MIME_TYPES = '/etc/mime.types';
/** The user httpd runs as; both Debian and Alpine have it (uid 33 and 82). */
export const RUN_AS_USER = 'www-data';
const WORLD_READABLE_DIR = 0o755;

export interface UnixAccount {
  name: string;
  uid: number;
  gid: number;
}

export interface ServerRootFiles {
  root: string;
  runtimeDir: string;
  accessLog: string;
  errorLog: string;
}

/** Looks a user up in /etc/passwd (no native module needed for one line). */
export function findAccount(name: string): UnixAccount {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`user ${name} is not in /etc/passwd; apache2 cannot run as it`);
}

/**
 * A ServerRoot shaped like the image's: modules/ and conf/mime.types, plus a run/ folder for the
 * pid file and the stdout/stderr files httpd reopens through /proc/self/fd, all owned by the run
 * user (as runc hands a container's stdio to its user).
 */
export function prepareServerRoot(owner: UnixAccount | undefined): ServerRootFiles {
  const root = mkdtempSync(join(tmpdir(), 'tristack-httpd-'));
  chmodSync(root, WORLD_READABLE_DIR);
  symlinkSync(DEBIAN_MODULES_DIR, join(root, 'modules'));
  mkdirSync(join(root, 'conf'));
  copyFileSync(SYSTEM_MIME_TYPES, join(root, 'conf', 'mime.types'));
  const runtimeDir = join(root, 'run');
  mkdirSync(runtimeDir);
  const accessLog = join(root, 'stdout.log');
  const errorLog = join(root, 'stderr.log');
  closeSync(openSync(accessLog, 'a'));
  closeSync(openSync(errorLog, 'a'));
  if (owner) {
    for (const path of [runtimeDir, accessLog, errorLog]) chownSync(path, owner.uid, owner.gid);
  }
  return { root, runtimeDir, accessLog, errorLog };
}

/** Fails early, with the fix, when the run user cannot read the page (httpd would answer 403). */
function assertReadableBy(account: UnixAccount, file: string): void {
  const probe = spawnSync('setpriv', [
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    '--clear-groups',
    'test',
    '-r',
    file,
  ]);
  if (probe.status !== 0) {
    throw new Error(
      `${account.name} cannot read ${file}: apache2 runs as that user, so the checkout and every folder above it must be world-readable (chmod o+rX)`,
    );
  }
}

function currentAccount(): UnixAccount {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined) throw new Error('apache2 needs a POSIX system');
  return { name: `uid ${uid}`, uid, gid };
}

export interface ApacheLaunch {
  /** Run as `command args` with stdout and stderr on files the run user owns (`files`). */
  command: string;
  args: string[];
  account: UnixAccount;
  files: ServerRootFiles;
}

/**
 * A fresh ServerRoot and the command that runs apache2 in the foreground on `listen`
 * (`127.0.0.1:PORT`), proxying /api/ to `apiUrl`. As root (CI), setpriv drops to www-data before
 * exec, so no apache2 process ever has root, and that pid is apache2's main process; otherwise the
 * current user already is not root. `config` defaults to front/httpd.conf.
 */
export function apacheLaunch(listen: string, apiUrl: string, config = HTTPD_CONF): ApacheLaunch {
  const runningAsRoot = process.getuid?.() === 0;
  const account = runningAsRoot ? findAccount(RUN_AS_USER) : currentAccount();
  if (runningAsRoot) assertReadableBy(account, join(FRONT_DIR, 'index.html'));
  const files = prepareServerRoot(runningAsRoot ? account : undefined);
  const apacheArgs = [
    '-DFOREGROUND',
    '-f',
    config,
    '-d',
    files.root,
    '-C',
    `Define LISTEN ${listen}`,
    '-C',
    `Define API_URL ${apiUrl}`,
    '-C',
    `Define DOCUMENT_ROOT ${FRONT_DIR.replace(/\/$/, '')}`,
    '-C',
    `Define RUNTIME_DIR ${files.runtimeDir}`,
  ];
  const dropToAccount = [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--clear-groups'];
  return runningAsRoot
    ? { command: 'setpriv', args: [...dropToAccount, APACHE_BINARY, ...apacheArgs], account, files }
    : { command: APACHE_BINARY, args: apacheArgs, account, files };
}
