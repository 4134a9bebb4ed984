// The migration files, checked before anything runs. postgrator skips quietly a file whose name
// it cannot parse, and a file numbered below a version already applied would never run: both
// are refused here instead, naming the file.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from './errors.ts';
import { displayPath } from './paths.ts';

/** The baseline's version: db/init.sql, never a file of the migrations folder. */
export const BASELINE_VERSION = 1;
/** `002.do.items-updated-at.sql`: postgrator's `version.do.name` (forward only: no undo). */
const MIGRATION_FILE = /^(\d+)\.do\.([a-z0-9][a-z0-9-]*)\.sql$/;

export interface MigrationFile {
  version: number;
  path: string;
}

/** postgrator's checksum (md5 of the text, its default): the one the history table holds. */
export function checksumOf(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new MigrationError(`cannot read the migrations folder ${dir}`, undefined, {
      cause: error,
    });
  }
  const files: MigrationFile[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.sql')).sort()) {
    const path = join(dir, name);
    const match = MIGRATION_FILE.exec(name);
    if (!match) {
      throw new MigrationError(
        `${displayPath(path)}: a migration is named NNN.do.short-name.sql (lowercase, digits, dashes)`,
        displayPath(path),
      );
    }
    const version = Number(match[1]);
    if (version <= BASELINE_VERSION) {
      throw new MigrationError(
        `${displayPath(path)}: versions up to ${BASELINE_VERSION} are the baseline (db/init.sql); number it higher`,
        displayPath(path),
      );
    }
    const twin = files.find((file) => file.version === version);
    if (twin) {
      throw new MigrationError(
        `${displayPath(path)} and ${displayPath(twin.path)} have the same version ${version}`,
        displayPath(path),
      );
    }
    files.push({ version, path });
  }
  return files;
}

/** Refuses a file numbered below the applied version that the history does not hold. */
export function refuseSkippedFiles(
  files: MigrationFile[],
  appliedVersions: number[],
  databaseVersion: number,
): void {
  const skipped = files.find(
    (file) => file.version <= databaseVersion && !appliedVersions.includes(file.version),
  );
  if (skipped) {
    throw new MigrationError(
      `${displayPath(skipped.path)} is numbered below version ${databaseVersion}, already ` +
        'applied, so it would never run: renumber it above the latest applied migration',
      displayPath(skipped.path),
    );
  }
}
