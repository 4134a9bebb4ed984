// The page's source: what a strict Content-Security-Policy and safe rendering require of it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const indexHtml = readFileSync(new URL('../index.html', import.meta.url), 'utf8');
const script = readFileSync(new URL('../script.js', import.meta.url), 'utf8');

describe('the page source', () => {
  it('never turns text into HTML: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    expect(script).not.toMatch(/\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write(ln)?)\b/);
    expect(script).not.toMatch(/\b(eval|new Function)\s*\(/);
  });

  it('has no inline script, inline style or inline event handler (the CSP would block them)', () => {
    const scripts = [...indexHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(body?.trim()).toBe('');
    }
    expect(indexHtml).not.toMatch(/<style\b/i);
    expect(indexHtml).not.toMatch(/\sstyle\s*=/i);
    expect(indexHtml).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('labels every input and announces status and errors to screen readers', () => {
    expect(indexHtml).toMatch(/<label for="add-name">/);
    expect(indexHtml).toMatch(/<input id="add-name"/);
    expect(indexHtml).toMatch(/id="status-badge"/);
    expect(indexHtml).toMatch(/role="status" aria-live="polite">\s*API status/);
    expect(indexHtml).toMatch(/id="action-error" class="action-error" role="alert"/);
    expect(indexHtml).toMatch(/id="list-state"[^>]*aria-live="polite"/);
  });

  it('declares an empty icon, so the browser does not ask for /favicon.ico', () => {
    expect(indexHtml).toContain('<link rel="icon" href="data:,">');
  });
});
