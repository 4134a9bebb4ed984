// A process and its descendants from /proc, to prove who the httpd processes run as.
import { type ProcessStatus, processIds, processStatus } from '../../../scripts/lib/proc.ts';

export type ProcessInfo = ProcessStatus & { pid: number };

/** `rootPid` and every process descended from it. */
export async function processTree(rootPid: number): Promise<ProcessInfo[]> {
  const all: ProcessInfo[] = [];
  for (const pid of await processIds()) {
    const status = await processStatus(pid);
    if (status) all.push({ ...status, pid });
  }
  const tree = all.filter((info) => info.pid === rootPid);
  for (let index = 0; index < tree.length; index += 1) {
    const parent = tree[index] as ProcessInfo;
    tree.push(...all.filter((info) => info.parentPid === parent.pid));
  }
  return tree;
}
