// Every long-running child process of the tests and the benchmark: started in a process group of
// its own, awaited until it answers (over HTTP, or on a TCP port), stopped with its whole group,
// and described by its own output whenever something goes wrong. Children still
// running when this process exits are killed, so nothing is left listening after a run.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOOPBACK } from './ports.ts';

/** How long a stopped process may take to exit (the API drains for up to 12 s) before SIGKILL. */
export const STOP_GRACE_MS = 15_000;
const POLL_INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 2_000;
/** How much of a child's output is kept for error messages. */
const OUTPUT_TAIL_CHARS = 8_000;

/** Where a stream goes: kept here ('pipe'), dropped, passed to ours, or written to an open file. */
export type OutputSink = 'pipe' | 'ignore' | 'inherit' | number;

export interface StartOptions {
  /** Names the process in every message about it. */
  name: string;
  cwd?: string;
  /** The whole environment: nothing is inherited that is not listed here. */
  env: NodeJS.ProcessEnv;
  /** 'pipe' to write to it (child.stdin), as a terminal's keyboard would. @default 'ignore' */
  stdin?: 'pipe' | 'ignore';
  /** @default 'pipe' */
  stdout?: OutputSink;
  /** @default 'pipe' */
  stderr?: OutputSink;
  /** Its log when it is not piped here (a server writing to files): read for error messages. */
  readLog?: () => string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<RunningProcess>();
let exitHookInstalled = false;

export class RunningProcess {
  /** Every whole line the process wrote to stdout, when stdout is piped. */
  readonly stdoutLines: string[] = [];
  /** Every whole line the process wrote to stderr, when stderr is piped. */
  readonly stderrLines: string[] = [];
  /** Resolves once the process has exited and its output is all read. */
  readonly exited: Promise<Exit>;
  /** performance.now() just before the spawn. */
  readonly startedAt: number;
  private tail = '';

  private constructor(
    readonly child: ChildProcess,
    private readonly options: StartOptions,
    startedAt: number,
  ) {
    this.startedAt = startedAt;
    // 'close', not 'exit': by then its output has been read to the end, and a child that could
    // not be spawned at all (no such binary) gets there too.
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    child.once('error', (error) => this.keep(`${options.name}: ${error.message}\n`));
    this.collect(child.stdout, this.stdoutLines);
    this.collect(child.stderr, this.stderrLines);
  }

  /** Spawns `command` with `args`; it leads a new process group, so stop() reaches its children. */
  static start(command: string, args: string[], options: StartOptions): RunningProcess {
    const startedAt = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', options.stderr ?? 'pipe'],
      detached: true,
    });
    const started = new RunningProcess(child, options, startedAt);
    running.add(started);
    void started.exited.then(() => running.delete(started));
    installExitHook();
    return started;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last lines it wrote (both streams, interleaved as they came), or its log file. */
  output(): string {
    return (this.options.readLog?.() ?? this.tail).trim();
  }

  /** An error naming the process, saying what happened and showing its output. */
  failure(what: string): Error {
    const output = this.output();
    return new Error(
      `${this.options.name}: ${what}\n${output ? `--- its output ---\n${output}` : '(no output)'}`,
    );
  }

  /**
   * Polls `url` until the answer's status passes `isReady` (200 by default); resolves with the
   * milliseconds since the spawn.
   */
  async waitForHttp(
    url: string,
    timeoutMs: number,
    isReady: (status: number) => boolean = (status) => status === 200,
  ): Promise<number> {
    return this.waitUntil(`${url} to answer`, timeoutMs, async () => {
      const answer = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await answer.arrayBuffer();
      return isReady(answer.status) ? true : `HTTP ${answer.status}`;
    });
  }

  /** Waits until a TCP connection to `port` is accepted; resolves with ms since the spawn. */
  waitForPort(port: number, timeoutMs: number, host = LOOPBACK): Promise<number> {
    return this.waitUntil(`port ${port} to accept connections`, timeoutMs, () =>
      accepts(host, port),
    );
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    signalGroup(this.child, signal);
  }

  /**
   * Sends `signal` to the group and waits for the process to exit; SIGKILL after `graceMs`. Then
   * kills whatever the group still holds (a grandchild its leader did not wait for).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = STOP_GRACE_MS): Promise<Exit> {
    if (!this.hasExited) {
      this.signal(signal);
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    signalGroup(this.child, 'SIGKILL');
    return this.exited;
  }

  private async waitUntil(
    what: string,
    timeoutMs: number,
    probe: () => Promise<true | string>,
  ): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    while (performance.now() < deadline) {
      if (this.hasExited) {
        throw this.failure(`${describeExit(await this.exited)} while waiting for ${what}`);
      }
      try {
        const outcome = await probe();
        if (outcome === true) return performance.now() - this.startedAt;
        lastProblem = outcome;
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      await sleep(POLL_INTERVAL_MS);
    }
    throw this.failure(`waited ${timeoutMs} ms for ${what} (${lastProblem})`);
  }

  private collect(stream: NodeJS.ReadableStream | null, lines: string[]): void {
    if (!stream) return;
    // Whole lines only: a JSON log line can arrive split across chunks.
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      lines.push(line);
      this.keep(`${line}\n`);
    });
  }

  private keep(text: string): void {
    this.tail = (this.tail + text).slice(-OUTPUT_TAIL_CHARS);
  }
}

function describeExit({ code, signal }: Exit): string {
  return signal ? `exited on ${signal}` : `exited with code ${code}`;
}

function accepts(host: string, port: number): Promise<true | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error) => resolve(error.message));
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Stops every process still running (on a benchmark's Ctrl-C, for instance). */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((started) => started.stop()));
}

/** The last resort on exit: no time left to wait for anyone, so every group is killed. */
function killAllProcessesNow(): void {
  for (const started of running) signalGroup(started.child, 'SIGKILL');
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllProcessesNow);
}
