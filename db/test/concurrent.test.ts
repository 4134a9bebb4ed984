// Two runners at once (two pods, a pod and a laptop): the lock lets one apply and the other find
// the work done. Started together for real: two connections in one process, and two processes.
import { describe, expect, it } from 'vitest';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { mysqlEnv } from '../bootstrap.ts';
import { migrate } from '../migrate.ts';
import { runMigrateCli } from './support/cli.ts';
import {
  expectedHistory,
  historyOf,
  itemRows,
  tablesOf,
  useMigrationFolders,
  useScratchDatabases,
} from './support/migrations.ts';

const server = databaseServerFromEnv();
/** Long enough that the second runner certainly asks for the lock while the first holds it. */
const SLOW_MIGRATION = 'CREATE TABLE slow_marker AS SELECT SLEEP(1) AS slept;';

describe('two migration runners at once', () => {
  const scratch = useScratchDatabases();
  const folder = useMigrationFolders();

  it('on two connections: one applies everything, the other waits for the lock and applies nothing', async () => {
    const database = await scratch('empty');
    const dir = await folder({ '003.do.slow-marker.sql': SLOW_MIGRATION });
    const logs: string[][] = [[], []];
    const runs = logs.map((lines) =>
      migrate(server, database, {
        migrationsDir: dir,
        logger: { info: (message) => lines.push(message) },
      }),
    );

    const results = await Promise.all(runs);

    const [winner, waiter] = (results[0]?.applied.length ?? 0) > 0 ? [0, 1] : [1, 0];
    expect(results[winner]).toMatchObject({ baseline: 'applied-init-sql', version: 3 });
    expect(results[winner]?.applied).toHaveLength(2);
    expect(results[waiter]).toEqual({ baseline: 'already-recorded', applied: [], version: 3 });
    expect(logs[waiter]?.[0]).toMatch(
      /another migration run \(connection \d+\) holds tristack\.migrate\./,
    );
    const history = await historyOf(database);
    expect(history.map((row) => row.version)).toEqual([0, 1, 2, 3]);
    expect((await itemRows(database)).map((row) => row.name)).toEqual([
      'Test A',
      'Test B',
      'Test C',
    ]);
    expect(await tablesOf(database)).toEqual(['items', 'schema_history', 'slow_marker']);
  });

  it('as two `npm run db:migrate` processes on a database made by init.sql: both exit 0, each migration applied once', async () => {
    const database = await scratch('init-sql');
    const before = await itemRows(database);
    const env = mysqlEnv(server, database);

    const [first, second] = await Promise.all([runMigrateCli(env), runMigrateCli(env)]);

    expect([first?.code, second?.code]).toEqual([0, 0]);
    const output = `${first?.stdout}${second?.stdout}`;
    expect(output.match(/applied db\/migrations\/002\.do\.items-updated-at\.sql/g)).toHaveLength(1);
    expect(output.match(/recorded as the baseline/g)).toHaveLength(1);
    expect(await historyOf(database)).toEqual(await expectedHistory());
    expect(await itemRows(database)).toEqual(before.map((row) => ({ ...row, updated_at: null })));
  });
});
