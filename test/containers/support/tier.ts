// What the tier's global setup hands to its test files: the base images in use, or why the tier
// cannot run. A test file calls useTier() once; it fails (never skips) when the engine is missing,
// unless SKIP_CONTAINER_TIER=1 leaves the tier out on purpose.
import { beforeAll, beforeEach, inject } from 'vitest';
import type { BaseImages } from './base-images.ts';
import { engineLogTail, SKIP_VARIABLE } from './engine.ts';

export type TierState =
  | { status: 'ready'; baseImages: BaseImages; imageTag: string }
  | { status: 'skipped' }
  | { status: 'failed'; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    containerTier: TierState;
  }
}

/** Why the tier cannot run, as one line, and how to leave it out on purpose. */
export function unavailable(reason: string): string {
  // engine.sh's own lines carry their prefix and the same hint, for when it runs on its own.
  const cause = (reason.trim().split('\n')[0] ?? '')
    .replace(/^container engine: /, '')
    .replace(new RegExp(`;? *set ${SKIP_VARIABLE}=1 .*$`), '');
  return `container tier: ${cause} (set ${SKIP_VARIABLE}=1 to leave the tier out on purpose)`;
}

export function tierState(): TierState {
  return inject('containerTier');
}

/** True when the tier is left out on purpose; the caller's describe skips then. */
export function tierLeftOut(): boolean {
  return tierState().status === 'skipped';
}

/**
 * The ready tier for a test file. Registers a failure in beforeAll when the engine could not
 * start, and prints the engine's log when a test fails.
 */
export function useTier(): { current(): Extract<TierState, { status: 'ready' }> } {
  beforeAll(() => {
    const state = tierState();
    if (state.status === 'failed') {
      const error = new Error(state.reason);
      error.stack = state.reason;
      throw error;
    }
  });
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      console.error(`--- the private engine's log, last lines ---\n${engineLogTail()}`);
    });
  });
  return {
    current() {
      const state = tierState();
      if (state.status !== 'ready') throw new Error('the container tier is not ready');
      return state;
    },
  };
}
