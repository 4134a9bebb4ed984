// `npm run bench`: parses the flags, runs the benchmark, prints the tables and writes the JSON
// (and the SVG with --plot). Exit codes: 0 done (targets met or not), 1 failed, 2 bad usage,
// 130 interrupted.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { databaseServerFromEnv } from '../../scripts/lib/database-server.ts';
import { BenchUsageError, parseOptions, USAGE } from './options.ts';
import { renderPlot } from './plot.ts';
import { formatReport } from './report.ts';
import type { BenchResult } from './results.ts';
import { cleanUp, runBenchmark } from './run-benchmark.ts';
import { runMain } from './run-main.ts';

const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function writeResults(
  result: BenchResult,
  directory: string,
  plot: boolean,
): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const stamp = result.startedAt.replaceAll(':', '-');
  const jsonPath = join(directory, `${stamp}.json`);
  await writeFile(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  const written = [jsonPath];
  const svg = plot ? renderPlot(result) : undefined;
  if (svg) {
    const svgPath = join(directory, `${stamp}.svg`);
    await writeFile(svgPath, svg);
    written.push(svgPath);
  } else if (plot) {
    progress('--plot: nothing to draw without seeded tables (a --url run)');
  }
  return written;
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const server = databaseServerFromEnv();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`\n${signal}: stopping the servers and dropping the scratch databases...`);
      void cleanUp().finally(() => process.exit(EXIT_INTERRUPTED));
    });
  }
  try {
    const result = await runBenchmark(options, server, progress);
    console.log(formatReport(result));
    const written = await writeResults(result, options.resultsDirectory, options.plot);
    console.log(`\nwritten: ${written.join(', ')}`);
    return 0;
  } finally {
    await cleanUp();
  }
}

runMain('bench', main);
