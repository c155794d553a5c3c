// Test-only: one Chromium per suite, each context's requests answered by MSW handlers
// (`routeToMsw` routes at the browser level, so it also catches the `keepalive` fetches and beacons
// a page sends while it unloads, which these suites must observe), and the test site's pages.
import {
  bundleForBrowser,
  type MswRoute,
  routeToMsw,
  SITE,
  useChromium as useSuiteChromium,
} from '@kmkit/test-chromium';
import { HttpResponse, http, type RequestHandler } from 'msw';
import type { BrowserContext } from 'playwright-core';
import { beforeAll } from 'vitest';

export { SITE };

/** The test site: the kmkit bundle at `/kmkit.js`, and an HTML page per path running its script. */
export function sitePages(bundle: string, pages: Record<string, string>): RequestHandler[] {
  return [
    http.get(
      `${SITE}kmkit.js`,
      () => new HttpResponse(bundle, { headers: { 'content-type': 'application/javascript' } }),
    ),
    ...Object.entries(pages).map(([path, script]) =>
      http.get(
        new URL(path, SITE).href,
        () =>
          new HttpResponse(
            `<!doctype html><html><head><script src="/kmkit.js"></script><script>${script}</script></head><body></body></html>`,
            { headers: { 'content-type': 'text/html' } },
          ),
      ),
    ),
    http.get(`${SITE}favicon.ico`, () => new HttpResponse(null, { status: 404 })),
  ];
}

/**
 * One Chromium for the current test file (the shared suite lifecycle), the page bundle
 * (`window.kmkit`), and fresh contexts answered by MSW handlers, closed after each test.
 */
export function useChromium() {
  const chromium = useSuiteChromium();
  let bundle = '';
  beforeAll(async () => {
    bundle = await bundleForBrowser(new URL('./page-entry.ts', import.meta.url), {
      globalName: 'kmkit',
    });
  }, 60_000);
  return {
    get bundle() {
      return bundle;
    },
    /** A fresh context (own storage and cookies) answered by `handlers`, closed after the test. */
    async newContext(
      handlers: readonly RequestHandler[],
    ): Promise<{ context: BrowserContext; route: MswRoute }> {
      const context = await chromium.newContext();
      return { context, route: await routeToMsw(context, handlers) };
    },
  };
}
