// Reads the process table from /proc, to prove who the httpd processes run as.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  parentPid: number;
  name: string;
  /** Real, effective, saved and filesystem uid, as /proc/<pid>/status lists them. */
  uids: number[];
  gids: number[];
}

function readProcess(pid: number): ProcessInfo | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // it exited while the table was being read
  }
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
  const numbers = (name: string) => field(name).split(/\s+/).map(Number);
  return {
    pid,
    parentPid: Number(field('PPid')),
    name: field('Name'),
    uids: numbers('Uid'),
    gids: numbers('Gid'),
  };
}

/** `rootPid` and every process descended from it. */
export function processTree(rootPid: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProcess(Number(entry)))
    .filter((info): info is ProcessInfo => info !== undefined);
  const tree = all.filter((info) => info.pid === rootPid);
  for (let index = 0; index < tree.length; index += 1) {
    const parent = tree[index] as ProcessInfo;
    tree.push(...all.filter((info) => info.parentPid === parent.pid));
  }
  return tree;
}
