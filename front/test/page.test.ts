// The items page in a real Chromium, served by the real httpd config in front of the real API
// and a fresh database. The tests run in order and share one page, like one person's visit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/ports.ts';
import { createItem } from '../../test/support/items-http.ts';
import {
  type Browser,
  type ConsoleProblem,
  ConsoleWatcher,
  launchBrowser,
} from './support/browser.ts';
import { SCREENSHOT_DIR } from './support/paths.ts';
import { type FrontStack, startFrontStack } from './support/stack.ts';

/** How long the page may take to show a change (a few requests and a render). */
const UI_TIMEOUT_MS = 10_000;
/** The API restarts, then the page's next status poll (every 5 s) or list retry finds it. */
const RECOVERY_TIMEOUT_MS = 25_000;
const SEEDED_NAMES = ['Test A', 'Test B', 'Test C'];
/** Budgets for the first visit: generous for a loaded CI machine, tight enough to catch bloat. */
const ITEMS_SHOWN_BUDGET_MS = 5_000;
const TRANSFER_BUDGET_BYTES = 64 * 1024;
/** More than one page of the page's own PAGE_SIZE (50) and of the API's default (100). */
const BULK_ITEM_COUNT = 120;
const BULK_INSERT_CONCURRENCY = 10;
const PHONE_VIEWPORT = { width: 390, height: 844 };
const DESKTOP_VIEWPORT = { width: 1280, height: 800 };
/** How long the loading test holds the list's answer back. */
const LOADING_HOLD_MS = 500;

let stack: FrontStack;
let browser: Browser;
let page: Page;
const consoleWatcher = new ConsoleWatcher();

const itemNames = () => page.locator('#items .item-name').allTextContents();
const statusBadge = () => page.locator('#status-badge').textContent();
const listState = () => page.locator('#list-state').getAttribute('data-state');
const addNameInput = () => page.getByLabel('Name', { exact: true });

async function addThroughForm(name: string): Promise<void> {
  await addNameInput().fill(name);
  await addNameInput().press('Enter');
}

async function openPage(): Promise<void> {
  await page.goto(stack.url);
  await expect.poll(listState, { timeout: UI_TIMEOUT_MS }).toBe('ready');
}

/** What the API itself lists, every page, by id (the page must show the same). */
async function namesInApi(): Promise<string[]> {
  const response = await fetch(`${stack.api.url}/items?limit=1000`);
  const items = (await response.json()) as Array<{ name: string }>;
  return items.map((item) => item.name);
}

/**
 * The URL of the first list request the page sends on a visit in a tab of its own (so the
 * shared page's state and console checks stay out of it); `servePage` may rewrite the page.
 */
async function firstItemsRequest(servePage?: (route: Route) => Promise<void>): Promise<string> {
  const tab = await browser.context.newPage();
  try {
    if (servePage) await tab.route(`${stack.url}/`, servePage);
    const request = tab.waitForRequest((candidate) => /\/items\?/.test(candidate.url()), {
      timeout: UI_TIMEOUT_MS,
    });
    await tab.goto(stack.url);
    return (await request).url();
  } finally {
    await tab.close();
  }
}

/**
 * The only console errors an outage may cause: Chromium logs every fetch that gets an error
 * status as "Failed to load resource: ... status of 503", and while the API is down httpd answers
 * /api/ with 503 (as the API does while its database is down). Anything else (another status,
 * another path, a script error) still fails the test.
 */
function isApiUnavailableLog(problem: ConsoleProblem): boolean {
  return (
    problem.kind === 'console error' &&
    problem.text.startsWith('Failed to load resource: the server responded with a status of 503') &&
    problem.url.startsWith(`${stack.url}/api/`)
  );
}

beforeAll(async () => {
  stack = await startFrontStack();
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  consoleWatcher.watch(page);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await stack?.close();
  }
});

afterEach(() => {
  expect(consoleWatcher.takeUnexpected(), 'console errors or page errors').toEqual([]);
});

describe('the items page', () => {
  it('shows Test A, Test B and Test C from a fresh database, with status OK', async () => {
    await page.goto(stack.url);
    await expect.poll(itemNames, { timeout: UI_TIMEOUT_MS }).toEqual(SEEDED_NAMES);
    await expect.poll(statusBadge, { timeout: UI_TIMEOUT_MS }).toBe('OK');

    // The browser's own clock and byte counts for this first, cold visit (a new profile).
    const firstVisit = await page.evaluate(() => {
      const [navigation] = performance.getEntriesByType(
        'navigation',
      ) as PerformanceNavigationTiming[];
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const [itemsShown] = performance.getEntriesByName('tristack:items-shown');
      return {
        itemsShownMs: itemsShown?.startTime ?? Number.NaN,
        domContentLoadedMs: navigation?.domContentLoadedEventEnd ?? Number.NaN,
        transfers: [navigation, ...resources].map((entry) => ({
          url: entry?.name ?? '',
          transferBytes: entry?.transferSize ?? 0,
          bodyBytes: entry?.encodedBodySize ?? 0,
        })),
      };
    });
    const totalTransferBytes = firstVisit.transfers.reduce(
      (sum, entry) => sum + entry.transferBytes,
      0,
    );
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'items-desktop.png'), fullPage: true });
    writeFileSync(
      join(SCREENSHOT_DIR, 'first-visit.json'),
      `${JSON.stringify({ ...firstVisit, totalTransferBytes }, null, 2)}\n`,
    );
    console.info(
      `first visit: items shown ${firstVisit.itemsShownMs.toFixed(0)} ms after navigation, ` +
        `${totalTransferBytes} bytes transferred in ${firstVisit.transfers.length} responses`,
    );

    expect(firstVisit.itemsShownMs).toBeLessThan(ITEMS_SHOWN_BUDGET_MS);
    expect(totalTransferBytes).toBeGreaterThan(0);
    expect(totalTransferBytes).toBeLessThan(TRANSFER_BUDGET_BYTES);
  });

  it('adds an item typed with the keyboard, and it is still there after a reload', async () => {
    await addNameInput().focus();
    await page.keyboard.type('Buy milk');
    await page.keyboard.press('Enter');

    await expect.poll(itemNames, { timeout: UI_TIMEOUT_MS }).toEqual([...SEEDED_NAMES, 'Buy milk']);
    await expect.poll(() => addNameInput().inputValue()).toBe('');

    await openPage();
    expect(await itemNames()).toEqual([...SEEDED_NAMES, 'Buy milk']);
  });

  it('refuses a name of only spaces with a message, without calling the API', async () => {
    const posts: string[] = [];
    const countPosts = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST') posts.push(request.url());
    };
    page.on('request', countPosts);
    try {
      await addThroughForm('   ');
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('Enter a name first.');
      expect(posts).toEqual([]);
    } finally {
      page.off('request', countPosts);
    }
  });

  it('renames an item, and the new name is still there after a reload', async () => {
    await page.getByRole('button', { name: 'Rename Test B' }).click();
    const input = page.getByRole('textbox', { name: 'New name for Test B' });
    await expect
      .poll(() => input.evaluate((element) => element === document.activeElement))
      .toBe(true);
    await input.fill('Test B, renamed');
    await input.press('Enter');

    const renamed = ['Test A', 'Test B, renamed', 'Test C', 'Buy milk'];
    await expect.poll(itemNames, { timeout: UI_TIMEOUT_MS }).toEqual(renamed);
    await openPage();
    expect(await itemNames()).toEqual(renamed);
  });

  it('leaves the name as it was when a rename is cancelled with Escape', async () => {
    await page.getByRole('button', { name: 'Rename Test A' }).click();
    const input = page.getByRole('textbox', { name: 'New name for Test A' });
    await input.fill('not kept');
    await input.press('Escape');

    await expect.poll(() => input.isHidden()).toBe(true);
    expect(await itemNames()).toContain('Test A');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    expect(focused).toBe('Rename Test A');
  });

  it('deletes an item, and it is still gone after a reload', async () => {
    await page.getByRole('button', { name: 'Delete Test C' }).click();

    const remaining = ['Test A', 'Test B, renamed', 'Buy milk'];
    await expect.poll(itemNames, { timeout: UI_TIMEOUT_MS }).toEqual(remaining);
    await openPage();
    expect(await itemNames()).toEqual(remaining);
    expect(await namesInApi()).toEqual(remaining);
  });

  it('shows a name like <img src=x onerror=alert(1)> as text and runs nothing', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const requestedPaths: string[] = [];
    page.on('request', (request) => requestedPaths.push(new URL(request.url()).pathname));

    await addThroughForm(hostile);
    await expect.poll(itemNames, { timeout: UI_TIMEOUT_MS }).toContain(hostile);
    await openPage();

    expect(await itemNames()).toContain(hostile);
    expect(await page.locator('#items img').count()).toBe(0);
    expect(await page.getByRole('button', { name: `Delete ${hostile}` }).count()).toBe(1);
    expect(dialogs).toEqual([]);
    expect(requestedPaths).not.toContain('/x');
  });

  it('is readable on a phone: nothing is wider than the screen, long names wrap', async () => {
    const longName = `A-very-long-name-without-any-space-${'x'.repeat(120)}`;
    await page.setViewportSize(PHONE_VIEWPORT);
    try {
      await addThroughForm(longName);
      await expect.poll(itemNames, { timeout: UI_TIMEOUT_MS }).toContain(longName);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'items-phone.png'), fullPage: true });
    } finally {
      await page.setViewportSize(DESKTOP_VIEWPORT);
    }
  });

  it('loads more items by following the Link header until the list is complete', async () => {
    const before = await namesInApi();
    const bulkNames = Array.from({ length: BULK_ITEM_COUNT }, (_, index) => `Bulk ${index + 1}`);
    const createdIds: number[] = [];
    try {
      for (let start = 0; start < bulkNames.length; start += BULK_INSERT_CONCURRENCY) {
        const batch = bulkNames.slice(start, start + BULK_INSERT_CONCURRENCY);
        const created = await Promise.all(batch.map((name) => createItem(stack.url, name)));
        createdIds.push(...created);
      }
      const everything = await namesInApi();
      expect(everything.length).toBe(before.length + BULK_ITEM_COUNT);

      await openPage();
      const firstPage = await itemNames();
      expect(firstPage.length).toBeLessThan(everything.length);
      expect(firstPage).toEqual(everything.slice(0, firstPage.length));

      const loadMore = page.getByRole('button', { name: 'Load more' });
      while (await loadMore.isVisible()) {
        const shown = (await itemNames()).length;
        await loadMore.click();
        await expect
          .poll(async () => (await itemNames()).length, { timeout: UI_TIMEOUT_MS })
          .toBeGreaterThan(shown);
      }
      expect(await itemNames()).toEqual(everything);
    } finally {
      await Promise.all(
        createdIds.map((id) => fetch(`${stack.api.url}/items/${id}`, { method: 'DELETE' })),
      );
    }
  });

  it('shows the error state and ERREUR while the API is stopped, and recovers when it is back', async () => {
    const namesBefore = await namesInApi();
    consoleWatcher.tolerate(isApiUnavailableLog);
    try {
      await stack.api.stop();
      await page.reload();

      await expect.poll(listState, { timeout: UI_TIMEOUT_MS }).toBe('error');
      expect(await page.locator('#list-message').textContent()).toMatch(
        /^Cannot load the items: the API is unavailable \(HTTP 503\)\. Retrying in \d+ s\.$/,
      );
      expect(await page.getByRole('button', { name: 'Retry now' }).isVisible()).toBe(true);
      await expect.poll(statusBadge, { timeout: UI_TIMEOUT_MS }).toBe('ERREUR');

      // The page keeps working: an add fails with a message and keeps what was typed.
      await addThroughForm('Written while down');
      await expect
        .poll(() => page.getByRole('alert').textContent(), { timeout: UI_TIMEOUT_MS })
        .toBe('Could not add “Written while down”: the API is unavailable (HTTP 503).');
      expect(await addNameInput().inputValue()).toBe('Written while down');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'items-api-down.png'), fullPage: true });

      await stack.api.start();
      await expect.poll(itemNames, { timeout: RECOVERY_TIMEOUT_MS }).toEqual(namesBefore);
      await expect.poll(statusBadge, { timeout: RECOVERY_TIMEOUT_MS }).toBe('OK');
      expect(await listState()).toBe('ready');
    } finally {
      consoleWatcher.stopTolerating();
      await addNameInput().fill('');
    }
    // The filter matched real failures, and only the ones described above.
    expect(consoleWatcher.tolerated.length).toBeGreaterThan(0);
    expect(consoleWatcher.tolerated.every(isApiUnavailableLog)).toBe(true);
  });

  it("shows the database's own message and ERREUR while the database is unreachable, and recovers", async () => {
    const namesBefore = await namesInApi();
    consoleWatcher.tolerate(isApiUnavailableLog);
    try {
      // The same API, pointed at a port where no database listens: it runs, /status says ERREUR.
      await stack.api.stop();
      await stack.api.start({ MYSQL_PORT: String(await freePort()) });
      await page.reload();

      await expect.poll(listState, { timeout: UI_TIMEOUT_MS }).toBe('error');
      expect(await page.locator('#list-message').textContent()).toMatch(
        /^Cannot load the items: the database is not reachable right now; retry shortly\. Retrying in \d+ s\.$/,
      );
      await expect.poll(statusBadge, { timeout: UI_TIMEOUT_MS }).toBe('ERREUR');

      await stack.api.stop();
      await stack.api.start();
      await expect.poll(itemNames, { timeout: RECOVERY_TIMEOUT_MS }).toEqual(namesBefore);
      await expect.poll(statusBadge, { timeout: RECOVERY_TIMEOUT_MS }).toBe('OK');
    } finally {
      consoleWatcher.stopTolerating();
    }
  });

  it('refuses inline script: the Content-Security-Policy is enforced by the browser', async () => {
    // A separate tab, so the violation it provokes on purpose stays out of the console checks.
    const probe = await browser.context.newPage();
    try {
      await probe.goto(stack.url);
      const outcome = await probe.evaluate(async () => {
        const violation = new Promise<string>((resolve) => {
          document.addEventListener(
            'securitypolicyviolation',
            (event) => resolve(event.effectiveDirective),
            { once: true },
          );
        });
        const script = document.createElement('script');
        script.textContent = 'window.inlineScriptRan = true;';
        document.body.append(script);
        const directive = await violation;
        return { directive, ran: 'inlineScriptRan' in window };
      });
      expect(outcome).toEqual({ directive: 'script-src-elem', ran: false });
    } finally {
      await probe.close();
    }
  });

  it('asks the API under /api on its own origin, the base its meta tag names', async () => {
    const prefix = `${stack.url}/api/items?`;
    expect((await firstItemsRequest()).slice(0, prefix.length)).toBe(prefix);
  });

  it('falls back to /api when the page names no API base', async () => {
    // The page as httpd serves it, less its tristack-api-base meta tag.
    const withoutBase = async (route: Route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(/<meta name="tristack-api-base"[^>]*>/, '');
      expect(html).not.toContain('tristack-api-base');
      await route.fulfill({ response, body: html });
    };
    const prefix = `${stack.url}/api/items?`;
    expect((await firstItemsRequest(withoutBase)).slice(0, prefix.length)).toBe(prefix);
  });

  it('says it is loading while the list is on its way', async () => {
    // The real answer, only held back a little, so the loading state stays long enough to read.
    const holdBack = async (route: Route) => {
      await sleep(LOADING_HOLD_MS);
      await route.continue();
    };
    await page.route('**/api/items?*', holdBack);
    try {
      await page.goto(stack.url);
      await expect.poll(listState).toBe('loading');
      expect(await page.locator('#list-message').textContent()).toBe('Loading items…');
      expect(await page.locator('#items').getAttribute('aria-busy')).toBe('true');
      await expect.poll(listState, { timeout: UI_TIMEOUT_MS }).toBe('ready');
      expect(await page.locator('#items').getAttribute('aria-busy')).toBe('false');
    } finally {
      await page.unroute('**/api/items?*', holdBack);
    }
  });

  it('logs no console error and no page error through a whole visit', async () => {
    await openPage();
    await expect.poll(statusBadge, { timeout: UI_TIMEOUT_MS }).toBe('OK');
    await page.getByRole('button', { name: 'Rename Test A' }).click();
    await page.getByRole('textbox', { name: 'New name for Test A' }).press('Escape');
    expect(consoleWatcher.takeUnexpected()).toEqual([]);
  });

  it('says the list is empty when it is, and shows the first item added', async () => {
    const response = await fetch(`${stack.api.url}/items?limit=1000`);
    const items = (await response.json()) as Array<{ id: number }>;
    for (const item of items) {
      await fetch(`${stack.api.url}/items/${item.id}`, { method: 'DELETE' });
    }
    await page.goto(stack.url);
    await expect.poll(listState, { timeout: UI_TIMEOUT_MS }).toBe('empty');
    expect(await page.locator('#list-message').textContent()).toBe(
      'No items yet. Add the first one above.',
    );
    expect(await itemNames()).toEqual([]);

    await addThroughForm('First of a new list');
    await expect.poll(itemNames, { timeout: UI_TIMEOUT_MS }).toEqual(['First of a new list']);
    expect(await listState()).toBe('ready');
  });
});
