// The migrations for this repository's own scripts and tests: `migrate(server, database,
// { logger })` brings a database to the latest migration (see docs/database.md). The runner lives
// with the API (api/src/migrations) because the API image carries it: the migrate service runs
// the migrations of the very image whose API needs them.
export {
  type MigrateOptions,
  MigrationError,
  type MigrationLogger,
  type MigrationResult,
  migrate,
} from '../api/src/migrations/migrate.ts';
