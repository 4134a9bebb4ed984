// npm start's own messages go to stderr: stdout carries only the API's log lines, so piping it to
// a log tool gets one JSON object per line (docs/monitoring.md).
export function say(message: string): void {
  console.error(`npm start: ${message}`);
}

export function fail(message: string): never {
  say(message);
  process.exit(2);
}
