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

// Node's IncomingMessage and ServerResponse are plain constructor functions, so each is called on
// the new object as `new` would. One small function per class, on purpose: a shared generic
// wrapper (rest arguments, or Reflect.construct with a new.target) measured far slower, V8
// sizing and shaping both kinds of object from the one function.
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
  return createServer(
    { ...options, IncomingMessage: requestClass(app), ServerResponse: responseClass(app) },
    app,
  );
}
