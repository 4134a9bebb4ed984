// A TCP forwarder between the API and the real database, so tests can take the database away
// (stop), bring it back (start) or slow it down (delay) without touching the shared server.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../../scripts/lib/ports.ts';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Milliseconds each chunk from the client waits before it is forwarded. */
  delayMs = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async create(target: { host: string; port: number }): Promise<TcpProxy> {
    return new TcpProxy(await freePort(), target);
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      this.track(client);
      this.track(upstream);
      client.on('data', (chunk) => {
        if (this.delayMs === 0) upstream.write(chunk);
        else setTimeout(() => upstream.writable && upstream.write(chunk), this.delayMs);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /** Stops listening and cuts every open connection, as a crashed database would. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}
