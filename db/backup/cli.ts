// The command line of `npm run db:backup -- --out FILE` and `npm run db:restore -- [--force]
// FILE`: arguments and MYSQL_* variables checked first, one line per problem, no stack trace for
// anything the person at the terminal can fix.
import { parseArgs } from 'node:util';
import { loadBackupTarget } from './config.ts';
import { writeBackup } from './dump.ts';
import { describeDatabaseError, USAGE_EXIT_CODE, UserError } from './errors.ts';
import { formatTables } from './inventory.ts';
import { restoreBackup } from './restore.ts';
import { describeDump, verifyDump } from './verify.ts';

const USAGE = {
  backup: 'usage: npm run db:backup -- --out FILE|FOLDER/',
  restore: 'usage: npm run db:restore -- [--force | --check] FILE',
} as const;
type Command = keyof typeof USAGE;

const MEBIBYTE = 1024 * 1024;

function parse(command: Command, args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: command === 'restore',
      options: {
        help: { type: 'boolean', short: 'h' },
        ...(command === 'backup' ? { out: { type: 'string' as const } } : {}),
        ...(command === 'restore'
          ? { force: { type: 'boolean' as const }, check: { type: 'boolean' as const } }
          : {}),
      },
    });
  } catch (error) {
    // parseArgs says which argument it did not understand: keep its words, drop its advice.
    const reason = (error as Error).message.split('. ')[0];
    throw new UserError(`${reason}\n${USAGE[command]}`, USAGE_EXIT_CODE);
  }
}

async function backup(args: string[]): Promise<void> {
  const { values } = parse('backup', args);
  if (values.help) return console.log(USAGE.backup);
  const out = values.out as string | undefined;
  if (!out) throw new UserError(`--out is required\n${USAGE.backup}`, USAGE_EXIT_CODE);
  const target = loadBackupTarget();
  const started = performance.now();
  const result = await writeBackup(target, out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `db:backup: wrote ${result.path} (${(result.fileBytes / MEBIBYTE).toFixed(2)} MiB, ${(result.summary.sqlBytes / MEBIBYTE).toFixed(2)} MiB of SQL) from ${target.database} in ${seconds} s`,
  );
}

async function restore(args: string[]): Promise<void> {
  const { values, positionals } = parse('restore', args);
  if (values.help) return console.log(USAGE.restore);
  if (positionals.length !== 1) {
    throw new UserError(`give exactly one FILE\n${USAGE.restore}`, USAGE_EXIT_CODE);
  }
  const [file = ''] = positionals;
  if (values.check && values.force) {
    throw new UserError(
      `--check touches nothing: it takes no --force\n${USAGE.restore}`,
      USAGE_EXIT_CODE,
    );
  }
  if (values.check) return check(file);
  const target = loadBackupTarget();
  const started = performance.now();
  const result = await restoreBackup(target, file, {
    force: values.force === true,
    report: (line) => console.log(`db:restore: ${line}`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `db:restore: restored ${target.database} from ${file} in ${seconds} s: ${formatTables(result.restored)}`,
  );
}

/** `--check`: the whole file read and checked as restore would, no database needed or touched. */
async function check(file: string): Promise<void> {
  console.log(`db:restore: ${describeDump(file, await verifyDump(file))}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'backup') return backup(args);
  if (command === 'restore') return restore(args);
  throw new UserError(`unknown command ${command ?? '(none)'}: backup or restore`, USAGE_EXIT_CODE);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const name = process.argv[2] === 'restore' ? 'db:restore' : 'db:backup';
  if (error instanceof UserError) {
    console.error(`${name}: ${error.message}`);
    process.exit(error.exitCode);
  }
  // A database or file-system error names its cause; anything else is a bug, stack and all.
  if (error instanceof Error && 'code' in error) {
    console.error(`${name}: ${describeDatabaseError(error)}`);
    process.exit(1);
  }
  throw error;
}
