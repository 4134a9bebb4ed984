// The runner against the real MariaDB/MySQL, from each state a database can be in. Every case
// reads back the tables and the history, not only what the runner says.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryDatabase } from '../../api/test/support/database.ts';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { applyInitSql } from '../bootstrap.ts';
import { MigrationError, migrate } from '../migrate.ts';
import {
  checksumOf,
  columnsOf,
  expectedHistory,
  historyOf,
  INIT_SQL_PATH,
  itemRows,
  useMigrationFolders,
  useScratchDatabases,
} from './support/migrations.ts';

const SEEDS = ['Test A', 'Test B', 'Test C'];
const server = databaseServerFromEnv();

/** The error migrate() threw; fails the test when it resolved. */
async function failureOf(run: Promise<unknown>): Promise<MigrationError> {
  const error = await run.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe('migrate', () => {
  const scratch = useScratchDatabases();
  const folder = useMigrationFolders();

  it('brings an empty database to the latest version: init.sql as the baseline, then 002', async () => {
    const database = await scratch('empty');
    const result = await migrate(server, database);
    expect(result).toEqual({
      baseline: 'applied-init-sql',
      applied: ['db/migrations/002.do.items-updated-at.sql'],
      version: 2,
    });
    expect(await historyOf(database)).toEqual(await expectedHistory());
    expect(await columnsOf(database, 'items')).toEqual(['id', 'name', 'created_at', 'updated_at']);
    const rows = await itemRows(database);
    expect(rows.map((row) => [row.id, row.name, row.updated_at])).toEqual([
      [1, 'Test A', null],
      [2, 'Test B', null],
      [3, 'Test C', null],
    ]);
  });

  it('recognises a database made by init.sql alone as the baseline and never touches its rows', async () => {
    const database = await scratch('init-sql');
    // A database in use since before migrations: a seed row gone, one renamed, one added.
    await queryDatabase(database, 'DELETE FROM items WHERE id = 1');
    await queryDatabase(database, "UPDATE items SET name = 'Kept B' WHERE id = 2");
    await queryDatabase(database, "INSERT INTO items (name) VALUES ('Added D')");
    const before = await itemRows(database);

    const result = await migrate(server, database);

    expect(result.baseline).toBe('recorded-existing');
    expect(result.applied).toEqual(['db/migrations/002.do.items-updated-at.sql']);
    expect(await historyOf(database)).toEqual(await expectedHistory());
    // init.sql did not run again: Test A stays deleted, every other row is as it was.
    expect(await itemRows(database)).toEqual(before.map((row) => ({ ...row, updated_at: null })));
    expect((await itemRows(database)).map((row) => row.name)).toEqual([
      'Kept B',
      'Test C',
      'Added D',
    ]);
  });

  it('applies only what a partly migrated database lacks, then nothing on the next run', async () => {
    const database = await scratch('migrated');
    const dir = await folder({
      '003.do.items-name-index.sql': 'CREATE INDEX items_name ON items (name);',
      '004.do.items-note.sql': 'ALTER TABLE items ADD COLUMN note VARCHAR(40) NULL;',
    });

    const first = await migrate(server, database, { migrationsDir: dir });
    expect(first).toEqual({
      baseline: 'already-recorded',
      applied: [join(dir, '003.do.items-name-index.sql'), join(dir, '004.do.items-note.sql')],
      version: 4,
    });
    const second = await migrate(server, database, { migrationsDir: dir });
    expect(second.applied).toEqual([]);
    expect(second.version).toBe(4);

    const history = await historyOf(database);
    expect(history.map((row) => [row.version, row.name])).toEqual([
      [0, null],
      [1, 'baseline'],
      [2, 'items-updated-at'],
      [3, 'items-name-index'],
      [4, 'items-note'],
    ]);
    expect(history[3]?.md5).toBe(checksumOf('CREATE INDEX items_name ON items (name);'));
    expect(await columnsOf(database, 'items')).toContain('note');
    expect((await itemRows(database)).map((row) => row.name)).toEqual(SEEDS);
  });

  it('refuses a changed applied migration, naming the file, and runs nothing after it', async () => {
    const database = await scratch('migrated');
    const dir = await folder({
      '003.do.items-note.sql': 'ALTER TABLE items ADD COLUMN note VARCHAR(40) NULL;',
    });
    const changed = join(dir, '002.do.items-updated-at.sql');
    await writeFile(changed, `${await readFile(changed, 'utf8')}-- a comment added later\n`);
    const history = await historyOf(database);

    const error = await failureOf(migrate(server, database, { migrationsDir: dir }));

    expect(error.message).toContain(`${changed} changed after it was applied`);
    expect(error.file).toBe(changed);
    expect(await historyOf(database)).toEqual(history);
    expect(await columnsOf(database, 'items')).not.toContain('note');
  });

  it('refuses a changed init.sql once it is the recorded baseline', async () => {
    const database = await scratch('migrated');
    const dir = await folder();
    const initSql = join(dir, 'init.sql');
    await writeFile(initSql, `${await readFile(INIT_SQL_PATH, 'utf8')}\n-- edited\n`);

    const error = await failureOf(migrate(server, database, { initSqlPath: initSql }));

    expect(error.message).toMatch(/init\.sql changed after it was recorded as the baseline/);
    expect(error.file).toBe(initSql);
    expect(await historyOf(database)).toEqual(await expectedHistory());
  });

  it('stops at a failing migration with the file and the database error; the history holds exactly what was applied', async () => {
    const database = await scratch('migrated');
    const dir = await folder({
      '003.do.items-note.sql': 'ALTER TABLE items ADD COLUMN note VARCHAR(40) NULL;',
      '004.do.broken.sql': 'ALTER TABLE items DROP COLUMN no_such_column;',
      '005.do.items-flag.sql': 'ALTER TABLE items ADD COLUMN flag BOOLEAN NULL;',
    });
    const broken = join(dir, '004.do.broken.sql');

    const error = await failureOf(migrate(server, database, { migrationsDir: dir }));

    expect(error.message).toContain(`${broken} failed: ER_CANT_DROP_FIELD_OR_KEY`);
    expect(error.message).toContain('no_such_column');
    expect(error.message).toContain(
      `applied before it in this run: ${join(dir, '003.do.items-note.sql')}`,
    );
    expect(error.file).toBe(broken);
    expect((await historyOf(database)).map((row) => row.version)).toEqual([0, 1, 2, 3]);
    const columns = await columnsOf(database, 'items');
    expect(columns).toContain('note');
    expect(columns).not.toContain('flag');

    // Fixed, the same folder goes on from where it stopped.
    await writeFile(broken, 'ALTER TABLE items DROP COLUMN note;');
    const resumed = await migrate(server, database, { migrationsDir: dir });
    expect(resumed.applied).toEqual([broken, join(dir, '005.do.items-flag.sql')]);
    expect(await columnsOf(database, 'items')).toEqual([
      'id',
      'name',
      'created_at',
      'updated_at',
      'flag',
    ]);
  });

  it('refuses a file of two statements before running either (DDL commits one by one)', async () => {
    const database = await scratch('migrated');
    const dir = await folder({
      '003.do.two-changes.sql':
        'ALTER TABLE items ADD COLUMN first_half INT NULL;\nALTER TABLE items ADD COLUMN second_half INT NULL;\n',
    });

    const error = await failureOf(migrate(server, database, { migrationsDir: dir }));

    expect(error.message).toContain(
      `${join(dir, '003.do.two-changes.sql')} failed: ER_PARSE_ERROR`,
    );
    // Neither half ran, and the history says so.
    expect(await columnsOf(database, 'items')).toEqual(['id', 'name', 'created_at', 'updated_at']);
    expect((await historyOf(database)).map((row) => row.version)).toEqual([0, 1, 2]);
  });

  it.each([
    ['003-no-action.sql', /named NNN\.do\.short-name\.sql/],
    ['003.undo.items-note.sql', /named NNN\.do\.short-name\.sql/],
    ['001.do.second-baseline.sql', /versions up to 1 are the baseline/],
  ])('refuses a migration file named %s before connecting', async (name, expected) => {
    const dir = await folder({ [name]: 'SELECT 1;' });
    const error = await failureOf(
      migrate(server, 'tristack_never_created', { migrationsDir: dir }),
    );
    expect(error.message).toMatch(expected);
    expect(error.file).toBe(join(dir, name));
  });

  it('refuses a file numbered below the applied version, which would never run', async () => {
    const database = await scratch('migrated');
    const later = await folder({
      '004.do.items-note.sql': 'ALTER TABLE items ADD COLUMN note INT NULL;',
    });
    await migrate(server, database, { migrationsDir: later });
    const dir = await folder({
      '003.do.items-flag.sql': 'ALTER TABLE items ADD COLUMN flag INT NULL;',
      '004.do.items-note.sql': 'ALTER TABLE items ADD COLUMN note INT NULL;',
    });

    const error = await failureOf(migrate(server, database, { migrationsDir: dir }));

    expect(error.message).toContain(
      `${join(dir, '003.do.items-flag.sql')} is numbered below version 4`,
    );
    expect(await columnsOf(database, 'items')).not.toContain('flag');
    expect((await historyOf(database)).map((row) => row.version)).toEqual([0, 1, 2, 4]);
  });

  it('says which database, server and user it could not reach', async () => {
    const error = await failureOf(
      migrate({ ...server, password: 'not-the-password', user: 'tristack_nobody' }, 'tristack'),
    );
    expect(error.message).toMatch(
      new RegExp(
        `cannot connect to database tristack on ${server.host}:${server.port} as tristack_nobody: ER_ACCESS_DENIED_ERROR`,
      ),
    );
  });

  it('applies init.sql once for a database init.sql already ran on partly (its table only)', async () => {
    const database = await scratch('empty');
    await applyInitSql(server, database);
    await queryDatabase(database, 'DELETE FROM items');
    await migrate(server, database);
    // The table existed, so the baseline was recorded, not run: the seed rows stay deleted.
    expect(await itemRows(database)).toEqual([]);
  });
});
