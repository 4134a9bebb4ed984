// `npm start`'s stand-in for the httpd front: serves front/ and forwards /api/ to the API,
// keeping the /api prefix, as front/httpd.conf does in the image.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';

const FRONT_DIR = fileURLToPath(new URL('../front/', import.meta.url));
const BAD_GATEWAY_BODY = JSON.stringify({
  type: 'urn:tristack:problem:api-unreachable',
  title: 'Bad Gateway',
  status: 502,
  detail: 'the API is not reachable',
});

export async function startFrontServer(port: number, apiPort: number): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.use('/api', (req, res) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: apiPort,
        method: req.method,
        path: req.originalUrl,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (res.headersSent) return res.destroy();
      res.status(502).type('application/problem+json').send(BAD_GATEWAY_BODY);
    });
    req.pipe(upstream);
  });
  app.use(express.static(FRONT_DIR, { index: 'index.html', dotfiles: 'ignore' }));

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
