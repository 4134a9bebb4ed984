// What a running container's main process looks like from inside (/proc/1/status), as the kernel
// sees it, rather than what the container's configuration asks for.
import { docker } from './engine.ts';

export interface ProcessStatus {
  /** Real, effective, saved and filesystem uid of PID 1. */
  uids: number[];
  gids: number[];
  /** Supplementary groups. */
  groups: number[];
  capEff: bigint;
  capPrm: bigint;
  noNewPrivs: boolean;
}

function field(status: string, name: string): string {
  const line = status.split('\n').find((candidate) => candidate.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`/proc/1/status has no ${name} line`);
  return line.slice(name.length + 1).trim();
}

const numbers = (text: string) => text.split(/\s+/).filter(Boolean).map(Number);

/** PID 1's identity and privileges inside the container. */
export async function processStatus(container: string, pid = 1): Promise<ProcessStatus> {
  const { stdout } = await docker(['exec', container, 'cat', `/proc/${pid}/status`]);
  return {
    uids: numbers(field(stdout, 'Uid')),
    gids: numbers(field(stdout, 'Gid')),
    groups: numbers(field(stdout, 'Groups')),
    capEff: BigInt(`0x${field(stdout, 'CapEff')}`),
    capPrm: BigInt(`0x${field(stdout, 'CapPrm')}`),
    noNewPrivs: field(stdout, 'NoNewPrivs') === '1',
  };
}

/** The real uid of every process in the container, by pid (from /proc, which every image has). */
export async function processUids(container: string): Promise<Map<number, number>> {
  // A process may end between the glob and the read: grep then skips it (-s) and goes on.
  const listing = ['exec', container, 'sh', '-c', "grep -s -H '^Uid:' /proc/[0-9]*/status"];
  const { stdout } = await docker(listing).catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? '',
  }));
  const uids = new Map<number, number>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const match = /^\/proc\/(\d+)\/status:Uid:\s+(\d+)/.exec(line);
    if (match) uids.set(Number(match[1]), Number(match[2]));
  }
  return uids;
}

/**
 * Whether the container's root filesystem is read-only, as the kernel sees it: mounted `ro` in
 * its own /proc/1/mounts, and a new file in / refused with EROFS. (A refusal alone would prove
 * nothing: a non-root user may not create files in / anyway, but the kernel reports a read-only
 * mount before it looks at permissions.)
 */
export async function rootIsReadOnly(container: string): Promise<boolean> {
  const { stdout } = await docker(['exec', container, 'cat', '/proc/1/mounts']);
  const root = stdout
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[1] === '/');
  if (!root) throw new Error(`${container}: no root filesystem in /proc/1/mounts`);
  const mountedReadOnly = (root[3] ?? '').split(',').includes('ro');
  const write = await docker(['exec', container, 'sh', '-c', ': > /write-probe']).then(
    () => 'written',
    (error: Error) => error.message,
  );
  return mountedReadOnly && /Read-only file system/.test(write);
}
