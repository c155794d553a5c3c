import { launchChromium } from '@kmkit/test-chromium';
import { HttpResponse, http, type RequestHandler } from 'msw';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** The origin of the test pages. */
export const SITE = 'https://site.test/';

/**
 * Launches one Chromium for the current test file (with a generous timeout: launch can take
 * seconds on a busy machine) and closes the contexts a test opened after it.
 */
export function useChromium() {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
  }, 30_000);
  return {
    /** A fresh context (own cookies), closed after the test. */
    async newContext(): Promise<BrowserContext> {
      const context = await browser!.newContext();
      contexts.push(context);
      return context;
    },
  };
}

/** Handlers serving `html` at {@link SITE} (and a 404 favicon, which Chromium may ask for). */
export function sitePage(html: string, files: Record<string, string> = {}): RequestHandler[] {
  return [
    http.get(SITE, () => new HttpResponse(html, { headers: { 'content-type': 'text/html' } })),
    ...Object.entries(files).map(([path, source]) =>
      http.get(
        new URL(path, SITE).href,
        () => new HttpResponse(source, { headers: { 'content-type': 'application/javascript' } }),
      ),
    ),
    http.get(`${SITE}favicon.ico`, () => new HttpResponse(null, { status: 404 })),
  ];
}
