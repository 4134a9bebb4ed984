// Which schema this API needs, and whether the database has it. The migrations (db/migrations,
// applied by `npm run db:migrate` or the migrate service) record each version they apply in the
// history table; an API started against an older schema answers /status 503 and refuses the
// item routes with a 503, rather than failing query after query on a missing column.
import type { Database } from './db.ts';
import type { Logger } from './logger.ts';

/** The migrations' history table (postgrator's layout: version, name, md5, run_at). */
export const SCHEMA_HISTORY_TABLE = 'schema_history';
/**
 * The oldest schema the API's queries work against: version 2 adds items.updated_at
 * (db/migrations/002.do.items-updated-at.sql). Raise it only with the migration the new code
 * needs; a newer schema is always accepted, so migrations run before the API they serve.
 */
export const REQUIRED_SCHEMA_VERSION = 2;

export interface SchemaVersionCheck {
  /**
   * Resolves true when the schema is recent enough, false when it is older (logged once per
   * version found); throws DatabaseUnavailableError when the database cannot be asked.
   */
  isCurrent(): Promise<boolean>;
  /** What the last check found, without asking: for the readiness metric. */
  wasCurrent(): boolean;
}

function isMissingTable(error: unknown): boolean {
  return (error as { code?: string }).code === 'ER_NO_SUCH_TABLE';
}

/** The highest version recorded in the history table; 0 when there is no history yet. */
export async function readSchemaVersion(db: Database): Promise<number> {
  try {
    const rows = await db.query<{ version: number | string | null }[]>(
      'schema.version',
      `SELECT MAX(version) AS version FROM ${SCHEMA_HISTORY_TABLE}`,
    );
    return Number(rows[0]?.version ?? 0);
  } catch (error) {
    // A database made by db/init.sql alone, never migrated.
    if (isMissingTable(error)) return 0;
    throw error;
  }
}

export function schemaVersionCheck(
  db: Database,
  logger: Logger,
  required = REQUIRED_SCHEMA_VERSION,
): SchemaVersionCheck {
  // Once seen current it stays so: migrations only move forward, and the hot path then costs no
  // query. Until then every probe asks again, so the API recovers as soon as migrations ran.
  let current = false;
  let lastReported: number | undefined;

  return {
    async isCurrent() {
      if (current) return true;
      const found = await readSchemaVersion(db);
      if (found >= required) {
        current = true;
        if (lastReported !== undefined) {
          logger.info(
            { event: 'database.schema-current', found, required },
            `database schema now at version ${found}: serving`,
          );
        }
        return true;
      }
      if (found !== lastReported) {
        lastReported = found;
        logger.error(
          { event: 'database.schema-too-old', found, required },
          `database schema is at version ${found}, this API needs ${required}: ` +
            'not serving until the migrations run (npm run db:migrate, or the migrate service/Job)',
        );
      }
      return false;
    },
    wasCurrent: () => current,
  };
}
