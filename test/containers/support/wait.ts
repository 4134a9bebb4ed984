// Waiting for a condition in hooks and helpers, where vitest's expect.poll cannot run.
import { setTimeout as sleep } from 'node:timers/promises';

const DEFAULT_INTERVAL_MS = 500;

/** Thrown by a check that knows the condition will never come: the wait ends at once with it. */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

/**
 * Resolves with the first value CHECK returns that SATISFIES; rejects after TIMEOUT_MS with WHAT
 * and the last value (or error) seen, so a failure says where it stood.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T>,
  satisfies: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = DEFAULT_INTERVAL_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (satisfies(value)) return value;
      last = JSON.stringify(value);
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      last = (error as Error).message;
    }
    if (Date.now() >= deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last})`);
    await sleep(intervalMs);
  }
}
