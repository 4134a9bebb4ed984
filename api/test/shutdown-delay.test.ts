// The shutdown delay, one connection at a time: after SIGTERM the API keeps serving, asks every
// keep-alive client to close, never cuts an idle connection whose next request may be on the
// wire, and only closes its listener (and the connections still idle) once the delay is over.
import { createConnection, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from './support/api-process.ts';
import { testEnv } from './support/app.ts';
import { useScratchDatabase } from './support/database.ts';

const DELAY_MS = 1500;
/** Long enough for the old drain, which swept idle connections at once, to have cut one. */
const IDLE_AFTER_SIGTERM_MS = 500;
/** The drain after the delay has nothing to wait for here: it must not take anywhere near 1 s. */
const QUICK_DRAIN_MS = 1000;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
}

/**
 * One TCP connection speaking HTTP/1.1 by hand, so the test knows which connection each request
 * uses and how it ended: `end` is an orderly close (FIN), `reset` an ECONNRESET.
 */
class RawConnection {
  readonly ended: Promise<'end' | 'reset'>;
  private received = '';
  private onData: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    // One character per byte, so that Content-Length counts characters too.
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      this.onData?.();
    });
    this.ended = new Promise((resolve) => {
      socket.once('end', () => resolve('end'));
      socket.once('error', () => resolve('reset'));
    });
  }

  static open(api: ApiProcess): Promise<RawConnection> {
    const { hostname, port } = new URL(api.baseUrl);
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: hostname, port: Number(port) });
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a keep-alive GET and resolves with the answer's status and headers. */
  get(path: string): Promise<RawAnswer> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: tristack.test\r\n\r\n`);
    return new Promise((resolve, reject) => {
      this.onData = () => {
        const answer = this.takeAnswer();
        if (answer) resolve(answer);
      };
      this.ended.then((how) => reject(new Error(`connection ${how} before the answer`)));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** The first whole answer received (headers and Content-Length body), removed from the buffer. */
  private takeAnswer(): RawAnswer | undefined {
    const headerEnd = this.received.indexOf('\r\n\r\n');
    if (headerEnd < 0) return undefined;
    const [statusLine = '', ...lines] = this.received.slice(0, headerEnd).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
      }),
    );
    const bodyEnd = headerEnd + 4 + Number(headers['content-length'] ?? 0);
    if (this.received.length < bodyEnd) return undefined;
    this.received = this.received.slice(bodyEnd);
    return { status: Number(statusLine.split(' ')[1]), headers };
  }
}

describe('the shutdown delay', () => {
  const database = useScratchDatabase();
  const opened: { close(): void }[] = [];
  let api: ApiProcess | undefined;
  afterEach(() => {
    for (const connection of opened.splice(0)) connection.close();
    api?.child.kill('SIGKILL');
    api = undefined;
  });

  async function startWithDelay(): Promise<ApiProcess> {
    api = await startApiProcess(testEnv(database.name, { SHUTDOWN_DELAY_MS: String(DELAY_MS) }));
    return api;
  }

  async function connect(to: ApiProcess): Promise<RawConnection> {
    const connection = await RawConnection.open(to);
    opened.push(connection);
    return connection;
  }

  it('answers, with Connection: close, a request on a keep-alive connection idle since before SIGTERM', async () => {
    const running = await startWithDelay();
    const connection = await connect(running);
    const before = await connection.get('/items/1');
    expect(before.status).toBe(200);
    expect(before.headers.connection).toBe('keep-alive');

    running.child.kill('SIGTERM');
    await sleep(IDLE_AFTER_SIGTERM_MS);
    const during = await connection.get('/items/1');
    expect(during.status).toBe(200);
    expect(during.headers.connection).toBe('close');
    expect(await connection.ended).toBe('end');
    expect(await running.exited).toBe(0);
  });

  it('serves new connections during the delay with Connection: close, then refuses them', async () => {
    const running = await startWithDelay();
    const signalled = performance.now();
    running.child.kill('SIGTERM');
    await sleep(IDLE_AFTER_SIGTERM_MS);
    const connection = await connect(running);
    expect(await connection.get('/status')).toMatchObject({
      status: 503,
      headers: { connection: 'close' },
    });
    expect(await connection.ended).toBe('end');

    await sleep(DELAY_MS - (performance.now() - signalled) + 100);
    await expect(connect(running)).rejects.toThrow(/ECONNREFUSED/);
    expect(await running.exited).toBe(0);
  });

  it('ends a connection still idle when the delay is over with a FIN, not a reset', async () => {
    const running = await startWithDelay();
    const connection = await connect(running);
    expect((await connection.get('/items/1')).headers.connection).toBe('keep-alive');

    const signalled = performance.now();
    running.child.kill('SIGTERM');
    expect(await connection.ended).toBe('end');
    const endedMs = performance.now() - signalled;
    expect(await running.exited).toBe(0);
    const exitedMs = performance.now() - signalled;
    expect(endedMs).toBeGreaterThanOrEqual(DELAY_MS);
    expect(exitedMs).toBeLessThan(DELAY_MS + QUICK_DRAIN_MS);
  });
});
