// A network namespace of the test's own: a loopback where nothing listens yet, so a test can run
// a program on its default ports (127.0.0.1:3306, 8000, 8080) whatever this machine runs there.
// A user namespace maps the caller to root inside, so this needs no privilege on kernels that
// allow unprivileged user namespaces (Debian's and Ubuntu's do).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CREATE_TIMEOUT_MS = 5000;

export interface CurlAnswer {
  status: number;
  contentType: string;
  body: string;
}

export class NetworkNamespace {
  private constructor(private readonly holder: ChildProcess) {}

  static async create(): Promise<NetworkNamespace> {
    const holder = spawn('unshare', ['--map-root-user', '--net', 'sleep', 'infinity'], {
      stdio: 'ignore',
    });
    const namespace = new NetworkNamespace(holder);
    const deadline = Date.now() + CREATE_TIMEOUT_MS;
    // unshare enters the namespaces, writes the uid map, then execs sleep: only then may others
    // join it as root.
    while ((await readFile(`/proc/${holder.pid}/comm`, 'utf8').catch(() => '')) !== 'sleep\n') {
      if (holder.exitCode !== null || Date.now() > deadline) {
        throw new Error(`unshare --map-root-user --net failed (exit ${holder.exitCode})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await run(...namespace.command(['ip', 'link', 'set', 'lo', 'up']));
    return namespace;
  }

  /** `[program, args]` that runs `command` inside the namespace. */
  command(command: readonly string[]): [string, string[]] {
    return [
      'nsenter',
      [
        `--target=${this.holder.pid}`,
        '--user',
        '--net',
        '--preserve-credentials',
        '--',
        ...command,
      ],
    ];
  }

  /** An HTTP request from inside the namespace (curl; fetch would run in the test's own). */
  async curl(url: string, init: { method?: string; json?: unknown } = {}): Promise<CurlAnswer> {
    const args = [
      'curl',
      '--silent',
      '--max-time',
      '5',
      '--write-out',
      '\n%{http_code} %{content_type}',
    ];
    if (init.method) args.push('--request', init.method);
    if (init.json !== undefined) {
      args.push('--header', 'content-type: application/json', '--data', JSON.stringify(init.json));
    }
    const { stdout } = await run(...this.command([...args, url])).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '\n0 ' }),
    );
    const end = stdout.lastIndexOf('\n');
    const [status = '0', contentType = ''] = stdout.slice(end + 1).split(' ');
    return { status: Number(status), contentType, body: stdout.slice(0, end) };
  }

  destroy(): void {
    this.holder.kill('SIGKILL');
  }
}
