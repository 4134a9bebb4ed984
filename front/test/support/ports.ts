// Free TCP ports on the loopback interface, for servers the tests start.
export { freePort as findFreePort } from '../../../api/test/support/ports.ts';

export const LOOPBACK = '127.0.0.1';
