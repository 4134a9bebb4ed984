// Debian's Chromium driven by playwright-core (never a downloaded browser), with the flags this
// machine needs and a new, empty profile each time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type ConsoleMessage, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Headless, and silent towards the closed network (no update, sync or background lookups). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 };

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tristack-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: DESKTOP_VIEWPORT,
    });
    return {
      context,
      async close() {
        try {
          await context.close();
        } finally {
          rmSync(profile, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

export interface ConsoleProblem {
  kind: 'console error' | 'page error';
  text: string;
  /** The resource or script the message is about, when the browser names one. */
  url: string;
}

/**
 * Collects console errors and uncaught page errors. A test that causes failures on purpose
 * declares exactly which ones with `tolerate`; everything else is unexpected.
 */
export class ConsoleWatcher {
  private unexpected: ConsoleProblem[] = [];
  private isTolerated: ((problem: ConsoleProblem) => boolean) | undefined;
  readonly tolerated: ConsoleProblem[] = [];

  watch(page: Page): void {
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') {
        this.record({ kind: 'console error', text: message.text(), url: message.location().url });
      }
    });
    page.on('pageerror', (error) => {
      this.record({ kind: 'page error', text: `${error.name}: ${error.message}`, url: '' });
    });
  }

  tolerate(isTolerated: (problem: ConsoleProblem) => boolean): void {
    this.isTolerated = isTolerated;
  }

  stopTolerating(): void {
    this.isTolerated = undefined;
  }

  /** The unexpected problems seen since the last call. */
  takeUnexpected(): ConsoleProblem[] {
    const problems = this.unexpected;
    this.unexpected = [];
    return problems;
  }

  private record(problem: ConsoleProblem): void {
    if (this.isTolerated?.(problem)) this.tolerated.push(problem);
    else this.unexpected.push(problem);
  }
}
