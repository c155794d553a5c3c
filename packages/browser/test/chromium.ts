// Test-only: one Chromium per suite, every request of every page answered by MSW handlers, and
// the test site's pages.
//
// Routing happens at the browser level (the DevTools Protocol's Fetch domain on the browser
// session), not with Playwright's page or context routes: those miss the `keepalive` fetches and
// beacons a page sends while it unloads, which are exactly what these suites must observe.
import { Buffer } from 'node:buffer';
import { bundleForBrowser, launchChromium } from '@kmkit/test-chromium';
import { getResponse, HttpResponse, http, type RequestHandler } from 'msw';
import type { Browser, BrowserContext, CDPSession } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** The origin of the test pages. */
export const SITE = 'https://site.test/';

interface PausedRequest {
  readonly requestId: string;
  readonly request: {
    readonly url: string;
    readonly method: string;
    readonly headers: Record<string, string>;
    readonly postData?: string;
    readonly postDataEntries?: { readonly bytes?: string }[];
  };
}

/** Answers every request of a browser from MSW handlers. */
export interface BrowserRouter {
  /** The handlers in force from now on. */
  use(handlers: readonly RequestHandler[]): void;
  /** While true, every request fails as a network error (with `context.setOffline` for the page). */
  offline: boolean;
  /** `METHOD url` of every request no handler answered (each failed as a network error). */
  readonly unhandled: string[];
}

function bodyOf(paused: PausedRequest): Buffer | undefined {
  const { method, postData, postDataEntries } = paused.request;
  if (method === 'GET' || method === 'HEAD') return undefined;
  if (postDataEntries) {
    return Buffer.concat(postDataEntries.map((entry) => Buffer.from(entry.bytes ?? '', 'base64')));
  }
  return postData === undefined ? undefined : Buffer.from(postData);
}

async function routeBrowser(session: CDPSession): Promise<BrowserRouter> {
  let handlers: readonly RequestHandler[] = [];
  const router: BrowserRouter = {
    use(next) {
      handlers = next;
    },
    offline: false,
    unhandled: [],
  };
  const fail = (
    requestId: string,
    errorReason: 'Failed' | 'ConnectionReset' | 'InternetDisconnected',
  ) => session.send('Fetch.failRequest', { requestId, errorReason }).catch(() => undefined);
  session.on('Fetch.requestPaused', async (event: PausedRequest) => {
    const { requestId, request } = event;
    if (router.offline) return fail(requestId, 'InternetDisconnected');
    const response = await getResponse(
      [...handlers],
      new Request(request.url, {
        method: request.method,
        headers: request.headers,
        body: bodyOf(event) as BodyInit | undefined,
      }),
    );
    if (!response) {
      router.unhandled.push(`${request.method} ${request.url}`);
      return fail(requestId, 'Failed');
    }
    if (response.type === 'error') return fail(requestId, 'ConnectionReset');
    const responseHeaders: { name: string; value: string }[] = [];
    response.headers.forEach((value, name) => {
      responseHeaders.push({ name, value });
    });
    const body = Buffer.from(await response.arrayBuffer()).toString('base64');
    // The page may be gone by now (a beacon sent while leaving): nothing is waiting for the answer.
    await session
      .send('Fetch.fulfillRequest', {
        requestId,
        responseCode: response.status,
        responseHeaders,
        body,
      })
      .catch(() => undefined);
  });
  await session.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
  return router;
}

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
 * One Chromium for the current test file (launch can take seconds on a busy machine), its router,
 * the page bundle (`window.kmkit`), and fresh contexts closed after each test.
 */
export function useChromium() {
  let browser: Browser | undefined;
  let router: BrowserRouter | undefined;
  let bundle = '';
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    [browser, bundle] = await Promise.all([
      launchChromium(),
      bundleForBrowser(new URL('./page-entry.ts', import.meta.url), { globalName: 'kmkit' }),
    ]);
    router = await routeBrowser(await browser.newBrowserCDPSession());
  }, 60_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    router!.offline = false;
    router!.unhandled.length = 0;
  });
  afterAll(async () => {
    await browser?.close();
  }, 30_000);
  return {
    get router() {
      return router!;
    },
    get bundle() {
      return bundle;
    },
    /** A fresh context (own storage and cookies), closed after the test. */
    async newContext(): Promise<BrowserContext> {
      const context = await browser!.newContext();
      contexts.push(context);
      return context;
    },
  };
}
