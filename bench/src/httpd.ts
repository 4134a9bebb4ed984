// The front for the benchmark's front path: Debian's apache2 running front/httpd.conf natively,
// laid out and started as the front's tests start it (front/apache2.ts), proxying /api/ to an API
// the benchmark runs. Started through scripts/lib/processes.ts so that Ctrl-C stops it like every
// other child.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { APACHE_BINARY, apacheLaunch } from '../../front/apache2.ts';
import { freePort, LOOPBACK } from '../../scripts/lib/ports.ts';
import { RunningProcess } from '../../scripts/lib/processes.ts';

const HTTPD_READY_TIMEOUT_MS = 15_000;
/** Linux's USER_HZ: the unit of the CPU times in /proc/<pid>/stat (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS_PER_SECOND = 100;
const KIB_PER_MIB = 1024;
/** /proc/<pid>/stat fields after the command name, 0-based from field 3 (state). */
const STAT_PARENT_PID = 1;
const STAT_USER_TICKS = 11;
const STAT_SYSTEM_TICKS = 12;
const STAT_WAITED_CHILDREN_USER_TICKS = 13;
const STAT_WAITED_CHILDREN_SYSTEM_TICKS = 14;

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

async function readStat(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone while the table was read
  }
}

async function rssMiBOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? 0) / KIB_PER_MIB;
}

const ticks = (fields: string[], ...indexes: number[]) =>
  indexes.reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);

/**
 * `pid` and its direct children (apache2's workers; none for node). A worker that exits during a
 * run is counted through its parent's waited-for-children times.
 */
export async function treeUsage(pid: number | undefined): Promise<TreeUsage | undefined> {
  if (pid === undefined) return undefined;
  const main = await readStat(pid);
  if (!main) return undefined;
  let cpuTicks = ticks(
    main,
    STAT_USER_TICKS,
    STAT_SYSTEM_TICKS,
    STAT_WAITED_CHILDREN_USER_TICKS,
    STAT_WAITED_CHILDREN_SYSTEM_TICKS,
  );
  let rssMiB = await rssMiBOf(pid);
  let processes = 1;
  const entries = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  for (const entry of entries) {
    const fields = await readStat(Number(entry));
    if (fields?.[STAT_PARENT_PID] !== String(pid)) continue;
    cpuTicks += ticks(fields, STAT_USER_TICKS, STAT_SYSTEM_TICKS);
    rssMiB += await rssMiBOf(Number(entry));
    processes += 1;
  }
  return { cpuSeconds: cpuTicks / CLOCK_TICKS_PER_SECOND, rssMiB, processes };
}
