// How `npm run bench` and `npm run soak` end: with the exit code their main() returns, or 1 and
// one line naming the command when it throws.
const EXIT_FAILED = 1;

export function runMain(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${command}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(EXIT_FAILED);
    },
  );
}
