// Debian's apache2 running the repository's front/httpd.conf unchanged, as a non-root user, the
// way the httpd:2.4-alpine image runs it: only `-d` (a ServerRoot laid out like the image's) and
// `-C "Define ..."` (port, upstream, folders) differ.
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
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK } from '../../../scripts/lib/ports.ts';
import { RunningProcess } from '../../../scripts/lib/processes.ts';
import { FRONT_DIR, HTTPD_CONF } from './paths.ts';

export const APACHE_BINARY = '/usr/sbin/apache2';
const DEBIAN_MODULES_DIR = '/usr/lib/apache2/modules';
const SYSTEM_MIME_TYPES = '/etc/mime.types';
/** The user httpd runs as; both Debian and Alpine have it (uid 33 and 82). */
export const RUN_AS_USER = 'www-data';
const APACHE_STARTUP_TIMEOUT_MS = 15_000;
const WORLD_READABLE_DIR = 0o755;

export interface UnixAccount {
  name: string;
  uid: number;
  gid: number;
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
export function prepareServerRoot(owner: UnixAccount | undefined) {
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

export class ApacheServer {
  private constructor(
    readonly port: number,
    /** The main apache2 process; its children are the workers. */
    readonly process: RunningProcess,
    readonly account: UnixAccount,
    private readonly files: ReturnType<typeof prepareServerRoot>,
  ) {}

  /** Starts apache2 on a free loopback port, proxying /api/ to `apiUrl`. */
  static async start(apiUrl: string): Promise<ApacheServer> {
    const port = await freePort();
    const runningAsRoot = process.getuid?.() === 0;
    // As root (CI), drop to www-data before exec, so no apache2 process ever has root; otherwise
    // the current user already is not root.
    const account = runningAsRoot ? findAccount(RUN_AS_USER) : currentAccount();
    if (runningAsRoot) assertReadableBy(account, join(FRONT_DIR, 'index.html'));
    const files = prepareServerRoot(runningAsRoot ? account : undefined);
    const apacheArgs = [
      '-DFOREGROUND',
      '-f',
      HTTPD_CONF,
      '-d',
      files.root,
      '-C',
      `Define LISTEN ${LOOPBACK}:${port}`,
      '-C',
      `Define API_URL ${apiUrl}`,
      '-C',
      `Define DOCUMENT_ROOT ${FRONT_DIR.replace(/\/$/, '')}`,
      '-C',
      `Define RUNTIME_DIR ${files.runtimeDir}`,
    ];
    const [command, args] = runningAsRoot
      ? [
          'setpriv',
          [
            `--reuid=${account.uid}`,
            `--regid=${account.gid}`,
            '--clear-groups',
            APACHE_BINARY,
            ...apacheArgs,
          ],
        ]
      : [APACHE_BINARY, apacheArgs];
    const stdout = openSync(files.accessLog, 'a');
    const stderr = openSync(files.errorLog, 'a');
    let started: RunningProcess;
    try {
      // setpriv execs apache2, so this pid is apache2's main process.
      started = RunningProcess.start(command, args, {
        name: 'apache2',
        env: { PATH: process.env.PATH },
        stdout,
        stderr,
        readLog: () => readFileSync(files.errorLog, 'utf8'),
      });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    const server = new ApacheServer(port, started, account, files);
    try {
      await started.waitForHttp(`${server.url}/`, APACHE_STARTUP_TIMEOUT_MS);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** What httpd wrote to stdout: the access log. */
  readAccessLog(): string {
    return readFileSync(this.files.accessLog, 'utf8');
  }

  /** What httpd wrote to stderr: the error log. */
  readErrorLog(): string {
    return readFileSync(this.files.errorLog, 'utf8');
  }

  /** Stops apache2 (SIGTERM stops the workers too) and removes its ServerRoot. */
  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.files.root, { recursive: true, force: true });
  }
}

function currentAccount(): UnixAccount {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined) throw new Error('apache2 tests need a POSIX system');
  return { name: `uid ${uid}`, uid, gid };
}
