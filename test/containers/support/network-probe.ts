// Looks at the network from inside another container's network namespace: a short-lived probe
// container joins it (`--network container:ID`), so the answer is what that container can reach,
// whatever tools its own image lacks. The probe runs Node from one of our images.
import { docker } from './engine.ts';

const PROBE_TIMEOUT_MS = 3000;

async function probe(image: string, container: string, script: string): Promise<boolean> {
  const { stdout } = await docker([
    'run',
    '--rm',
    '--network',
    `container:${container}`,
    '--entrypoint',
    'node',
    image,
    '-e',
    script,
  ]);
  return stdout.trim() === 'yes';
}

/** Whether NAME resolves to an address inside CONTAINER's network namespace. */
export function resolvesName(image: string, container: string, name: string): Promise<boolean> {
  return probe(
    image,
    container,
    `require('node:dns').lookup(${JSON.stringify(name)}, (error) => console.log(error ? 'no' : 'yes'))`,
  );
}

/** Whether a TCP connection to HOST:PORT succeeds from inside CONTAINER's network namespace. */
export function canConnect(
  image: string,
  container: string,
  host: string,
  port: number,
): Promise<boolean> {
  return probe(
    image,
    container,
    `const socket = require('node:net').connect(${port}, ${JSON.stringify(host)});
     const answer = (text) => { console.log(text); socket.destroy(); };
     socket.setTimeout(${PROBE_TIMEOUT_MS}, () => answer('no'));
     socket.on('connect', () => answer('yes'));
     socket.on('error', () => answer('no'));`,
  );
}
