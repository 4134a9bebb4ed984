// Where the SQL lives. db/ sits beside api/ both in the repository and in the image (/app/db),
// and this file is three levels below that root both as source (api/src/migrations) and built
// (api/dist/migrations), so one relative path serves `npm run db:migrate` and the image.
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The baseline (version 1): the schema and seed rows a first boot gets. */
export const INIT_SQL_PATH = join(PROJECT_ROOT, 'db', 'init.sql');
/** Every change after the baseline, one plain SQL file each. */
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'db', 'migrations');

/** `db/migrations/002.do.x.sql` for the project's own files, the full path for any other. */
export function displayPath(file: string): string {
  const inside = relative(PROJECT_ROOT, file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

/** The migrate service's (or Job's) command in the API image, whose WORKDIR is /app/api. */
export const MIGRATE_IMAGE_COMMAND: readonly string[] = ['node', 'dist/migrations/cli.js'];
