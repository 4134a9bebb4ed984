// Graceful connection draining for node:http, in two steps that server.ts spaces apart.
//
// closeAfterEachAnswer(): from then on every answer, those already being prepared included, says
// `Connection: close`, so each keep-alive client reconnects (to another instance) after its
// current request. No connection is closed here: one that is idle after a keep-alive answer may
// already carry the client's next request, and that request is answered.
//
// drain(): the listener closes; busy connections finish their answer and close; connections idle
// after an answer close at once; brand-new ones get a short grace to send their request. Node's
// own server.close() would destroy every idle connection at once, brand-new ones included.
//
// An idle connection is closed with destroy(): with nothing unread, that is an orderly close
// (FIN), which a client's pool takes as "do not reuse". end() would be no gentler to that client,
// and a request crossing the FIN would then still be run, with no way left to answer it; after
// destroy() such a request is refused by the kernel (a reset) and never runs, so the client may
// safely retry it. Only a client silent for the whole delay can meet this: every connection that
// sent a request during the delay was closed after its answer.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** How often the drain looks for connections it can close. */
const SWEEP_INTERVAL_MS = 50;
/** A connection accepted just before the listener closed has this long to send its request. */
const NEW_CONNECTION_GRACE_MS = 1000;

type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

export interface ConnectionDrain {
  /** Every answer whose headers are not sent yet, in progress or to come, asks the client to close. */
  closeAfterEachAnswer(): void;
  /**
   * Closes the listener and every connection. Resolves true when no request had to be cut,
   * false when some were still unanswered after `graceMs` and were cut.
   */
  drain(graceMs: number): Promise<boolean>;
}

function answerInProgress(socket: HttpSocket): ServerResponse | undefined {
  const response = socket._httpMessage;
  return response && !response.writableFinished ? response : undefined;
}

function askToClose(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
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
      if (answerInProgress(socket)) continue;
      if (servedOnce.has(socket) || newConnectionsExpired) socket.destroy();
    }
  }

  let closing = false;
  function closeAfterEachAnswer(): void {
    if (closing) return;
    closing = true;
    // Prepended, so the header is set before the app can start its answer.
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) =>
      askToClose(res),
    );
    for (const socket of open) {
      const response = answerInProgress(socket);
      if (response) askToClose(response);
    }
  }

  function drain(graceMs: number): Promise<boolean> {
    closeAfterEachAnswer();
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
  }

  return { closeAfterEachAnswer, drain };
}
