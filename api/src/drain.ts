// Graceful connection draining for node:http. Node's own server.close() also destroys every
// connection that has not yet sent a request, including ones the kernel accepted a moment ago
// whose request is on its way: those clients would see a reset. Here the listener closes,
// busy connections finish (their answer says `Connection: close`), connections idle after an
// answer close at once, and brand-new ones get a short grace to send their request.
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** How often the drain looks for connections it can close. */
const SWEEP_INTERVAL_MS = 50;
/** A connection accepted just before shutdown has this long to send its request. */
const NEW_CONNECTION_GRACE_MS = 1000;

type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

export interface ConnectionDrain {
  /** Resolves true when every connection closed on its own within `graceMs`, false if some were cut. */
  drain(graceMs: number): Promise<boolean>;
}

export function trackConnections(server: Server): ConnectionDrain {
  const open = new Set<HttpSocket>();
  const servedOnce = new WeakSet<Socket>();
  server.on('connection', (socket: HttpSocket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req) => servedOnce.add(req.socket));

  function sweep(newConnectionsExpired: boolean): void {
    for (const socket of open) {
      const response = socket._httpMessage;
      if (response && !response.writableFinished) {
        if (!response.headersSent) response.setHeader('Connection', 'close');
        continue;
      }
      if (servedOnce.has(socket) || newConnectionsExpired) socket.destroy();
    }
  }

  return {
    drain(graceMs) {
      return new Promise((resolve) => {
        const started = Date.now();
        const sweeper = setInterval(
          () => sweep(Date.now() - started > NEW_CONNECTION_GRACE_MS),
          SWEEP_INTERVAL_MS,
        );
        const deadline = setTimeout(() => {
          clearInterval(sweeper);
          for (const socket of open) socket.destroy();
          resolve(false);
        }, graceMs);
        // net.Server's close, not http.Server's: stop listening without http's idle sweep.
        NetServer.prototype.close.call(server, () => {
          clearTimeout(deadline);
          clearInterval(sweeper);
          resolve(true);
        });
        sweep(false);
      });
    },
  };
}
