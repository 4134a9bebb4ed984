// `npm run db:migrate` as a separate process: the same entry (api/src/migrations/cli.ts) through
// tsx, configured only by the environment it is given.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../api/src/migrations/cli.ts', import.meta.url));
const CLI_TIMEOUT_MS = 30_000;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runMigrateCli(env: Record<string, string>, args: string[] = []): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
