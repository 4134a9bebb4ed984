// The HTTP server that runs the Express app. Express gives every request and response its own
// prototypes with Object.setPrototypeOf as they arrive; an object whose prototype changes after
// creation sends V8's inline caches in Node's HTTP code down the slow path for the rest of its
// life. Built with those prototypes from the start instead, Express's swap is a no-op (see
// expressjs/express#5998). Measured on the first page, 3 rows: 0.42-0.47x of the bare node:http
// reference without this, 0.61-0.85x with it, and about 40 MB less RSS (docs/benchmark.md).
import {
  createServer,
  IncomingMessage,
  type Server,
  type ServerOptions,
  ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

// Node's IncomingMessage and ServerResponse are plain constructor functions (Node 20 to 24,
// checked on 20.20 and 24.13), so each is called on the new object as `new` would. One small
// function per class, on purpose: one generic wrapper for both measured far slower (0.55x with
// rest arguments, 0.31-0.42x with Reflect.construct), probably because V8 then shapes both kinds
// of object from one function's feedback.
type Initialiser = (this: object, ...args: unknown[]) => void;
const initialiseRequest = IncomingMessage as unknown as Initialiser;
const initialiseResponse = ServerResponse as unknown as Initialiser;

function requestClass(app: Express): typeof IncomingMessage {
  function ExpressRequest(this: object, socket: Socket): void {
    initialiseRequest.call(this, socket);
  }
  ExpressRequest.prototype = app.request;
  return ExpressRequest as unknown as typeof IncomingMessage;
}

function responseClass(app: Express): typeof ServerResponse {
  function ExpressResponse(this: object, req: IncomingMessage, options?: object): void {
    initialiseResponse.call(this, req, options);
  }
  ExpressResponse.prototype = app.response;
  return ExpressResponse as unknown as typeof ServerResponse;
}

export function createExpressServer(app: Express, options: ServerOptions): Server {
  // Were a later Node to make them classes, every request would throw: fail at start-up instead.
  for (const base of [IncomingMessage, ServerResponse]) {
    if (Function.prototype.toString.call(base).startsWith('class')) {
      throw new Error(
        `node:http ${base.name} is a class in Node ${process.version}: see http/express-server.ts`,
      );
    }
  }
  return createServer(
    { ...options, IncomingMessage: requestClass(app), ServerResponse: responseClass(app) },
    app,
  );
}
