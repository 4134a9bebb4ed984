// Free TCP ports on loopback, for the servers the tests and the benchmark start.
import { createServer } from 'node:net';

/** Every server started here listens on loopback only: nothing is reachable from the network. */
export const LOOPBACK = '127.0.0.1';

/** A port on loopback that was free a moment ago (the kernel picked it for a listener on port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A port where nothing listens: connecting to it is refused at once. */
export const closedPort = freePort;
