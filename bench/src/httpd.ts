// The front for the benchmark's front path: Debian's apache2 running front/httpd.conf natively,
// laid out and started as the front's tests start it (front/apache2.ts), proxying /api/ to an API
// the benchmark runs. Started through scripts/lib/processes.ts so that Ctrl-C stops it like every
// other child.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { APACHE_BINARY, apacheLaunch } from '../../front/apache2.ts';
import { freePort, LOOPBACK } from '../../scripts/lib/ports.ts';
import {
  CLOCK_TICKS_PER_SECOND,
  processIds,
  processStat,
  residentMemoryMiB,
} from '../../scripts/lib/proc.ts';
import { RunningProcess } from '../../scripts/lib/processes.ts';

const HTTPD_READY_TIMEOUT_MS = 15_000;
export interface RunningHttpd {
  url: string;
  pid: number | undefined;
  version: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/** `Apache/2.4.71 (Debian)`, from `apache2 -v`. */
function apacheVersion(): string {
  const output = spawnSync(APACHE_BINARY, ['-v'], { encoding: 'utf8' }).stdout ?? '';
  return /Server version:\s*(.+)/.exec(output)?.[1]?.trim() ?? 'unknown';
}

/**
 * apache2 on a free loopback port in front of `apiUrl`, `config` (front/httpd.conf by default)
 * unchanged. The access log goes to /dev/null like the API's logs (their cost is part of the
 * measure, nobody reads them); the error log to a file the run user owns, for diagnostics.
 */
export async function startHttpd(apiUrl: string, config?: string): Promise<RunningHttpd> {
  const port = await freePort();
  const launch = apacheLaunch(`${LOOPBACK}:${port}`, apiUrl, config);
  // httpd reopens /proc/self/fd/1 and 2 as the run user: those must be /dev/null or files it owns
  // (a pipe of ours is not).
  const stdout = openSync('/dev/null', 'a');
  const stderr = openSync(launch.files.errorLog, 'a');
  let started: RunningProcess;
  try {
    started = RunningProcess.start(launch.command, launch.args, {
      name: 'apache2',
      env: { PATH: process.env.PATH },
      stdout,
      stderr,
      readLog: () => readFileSync(launch.files.errorLog, 'utf8'),
    });
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
  const url = `http://${LOOPBACK}:${port}`;
  const stop = async () => {
    await started.stop();
    await rm(launch.files.root, { recursive: true, force: true });
  };
  try {
    await started.waitForHttp(`${url}/`, HTTPD_READY_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: started.pid, version: apacheVersion(), process: started, stop };
}

/** What a process and its children use right now, from /proc (Linux). */
export interface TreeUsage {
  /** User and system CPU time since the start, children's included (seconds). */
  cpuSeconds: number;
  /** Sum of the processes' VmRSS: pages they share count once per process (MiB). */
  rssMiB: number;
  processes: number;
}

/**
 * `pid` and its direct children (apache2's workers; none for node). A worker that exits during a
 * run is counted through its parent's waited-for-children times.
 */
export async function treeUsage(pid: number | undefined): Promise<TreeUsage | undefined> {
  if (pid === undefined) return undefined;
  const main = await processStat(pid);
  if (!main) return undefined;
  let cpuTicks =
    main.userTicks +
    main.systemTicks +
    main.waitedChildrenUserTicks +
    main.waitedChildrenSystemTicks;
  let rssMiB = (await residentMemoryMiB(pid)) ?? 0;
  let processes = 1;
  for (const child of await processIds()) {
    const stat = await processStat(child);
    if (stat?.parentPid !== pid) continue;
    cpuTicks += stat.userTicks + stat.systemTicks;
    rssMiB += (await residentMemoryMiB(child)) ?? 0;
    processes += 1;
  }
  return { cpuSeconds: cpuTicks / CLOCK_TICKS_PER_SECOND, rssMiB, processes };
}
