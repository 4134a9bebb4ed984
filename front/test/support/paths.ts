// Where things are, resolved from this file so the tests run from any working directory.
import { fileURLToPath } from 'node:url';

export const FRONT_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const HTTPD_CONF = fileURLToPath(new URL('../../httpd.conf', import.meta.url));
export const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots/', import.meta.url));
