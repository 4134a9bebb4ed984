// vitest globalSetup for every suite that needs the database: the run fails at once, with one
// line saying what to do, when none is reachable. A suite that skipped its database tests and
// passed would prove nothing.
import {
  assertDatabaseReachable,
  databaseServerFromEnv,
} from '../../scripts/lib/database-server.ts';

export default async function requireDatabase(): Promise<void> {
  await assertDatabaseReachable(databaseServerFromEnv());
}
