// The process table as Linux's /proc shows it: who runs, under which parent and group, as whom,
// with how much CPU time and memory. Every reader of /proc in the tests, the benchmark and
// `npm start` goes through here. A process can exit while it is read: each reader then answers
// undefined (or leaves it out of a list) rather than throwing.
import { readdir, readFile } from 'node:fs/promises';

/** Linux's USER_HZ: the unit of the CPU times in /proc/<pid>/stat (sysconf(_SC_CLK_TCK)). */
export const CLOCK_TICKS_PER_SECOND = 100;
const KIB_PER_MIB = 1024;

export interface ProcessStat {
  /** R, S, D, T (stopped), t (traced), Z... */
  state: string;
  parentPid: number;
  processGroup: number;
  userTicks: number;
  systemTicks: number;
  /** CPU time of its children that it waited for (exited workers, for instance). */
  waitedChildrenUserTicks: number;
  waitedChildrenSystemTicks: number;
}

export interface ProcessStatus {
  name: string;
  parentPid: number;
  /** Real, effective, saved and filesystem uid. */
  uids: number[];
  gids: number[];
  /** Resident memory (VmRSS); undefined for a kernel thread or a zombie. */
  rssMiB: number | undefined;
}

/** Every process id in /proc now. */
export async function processIds(): Promise<number[]> {
  return (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
}

/** /proc/<pid>/stat (or one thread's, /proc/<pid>/task/<tid>/stat). */
export async function processStat(pid: number, thread?: number): Promise<ProcessStat | undefined> {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const stat = await readFile(path, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name is in parentheses and may hold spaces: fields 3 and after start after ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (number: number) => Number(fields[number - 3] ?? Number.NaN);
  return {
    state: fields[0] ?? '',
    parentPid: field(4),
    processGroup: field(5),
    userTicks: field(14),
    systemTicks: field(15),
    waitedChildrenUserTicks: field(16),
    waitedChildrenSystemTicks: field(17),
  };
}

/** /proc/<pid>/status. */
export async function processStatus(pid: number): Promise<ProcessStatus | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  if (status === undefined) return undefined;
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1];
  const numbers = (name: string) => (field(name) ?? '').split(/\s+/).map(Number);
  const rssKib = /^(\d+)\s+kB$/.exec(field('VmRSS') ?? '')?.[1];
  return {
    name: field('Name') ?? '',
    parentPid: Number(field('PPid')),
    uids: numbers('Uid'),
    gids: numbers('Gid'),
    rssMiB: rssKib === undefined ? undefined : Number(rssKib) / KIB_PER_MIB,
  };
}

/** Its arguments as one string, NUL-separated as the kernel keeps them; '' once it is gone. */
export function commandLine(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
}

/** Resident memory of a live process in MiB (undefined when it is gone or not given). */
export async function residentMemoryMiB(pid: number | undefined): Promise<number | undefined> {
  return pid === undefined ? undefined : (await processStatus(pid))?.rssMiB;
}
