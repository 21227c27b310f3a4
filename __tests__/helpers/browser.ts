import type { Page } from 'playwright-core';

/**
 * Wait until a browser-side expression is true. Polls with `page.evaluate`, which runs
 * over the DevTools protocol: `page.waitForFunction` with a string evaluates it inside
 * the page, which the page's Content Security Policy (script-src 'self') refuses.
 * A navigation between polls destroys the context; the next poll uses the new one.
 */
export async function until(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await page.evaluate(expression).catch(() => false);
    if (ok) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
