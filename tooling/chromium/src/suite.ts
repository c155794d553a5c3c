// A Chromium suite's shared parts: one browser per test file, the test site's pages, and the
// loaders real sites paste into their pages.
import { HttpResponse, http, type RequestHandler } from 'msw';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './launch.js';

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
    /** A fresh context (own storage and cookies), closed after the test. */
    async newContext(): Promise<BrowserContext> {
      const context = await browser!.newContext();
      contexts.push(context);
      return context;
    },
  };
}

/** Handlers serving `html` at {@link SITE}, the given scripts beside it, and no favicon. */
export function sitePage(html: string, scripts: Record<string, string> = {}): RequestHandler[] {
  return [
    http.get(SITE, () => new HttpResponse(html, { headers: { 'content-type': 'text/html' } })),
    ...Object.entries(scripts).map(([path, source]) =>
      http.get(
        new URL(path, SITE).href,
        () => new HttpResponse(source, { headers: { 'content-type': 'application/javascript' } }),
      ),
    ),
    http.get(`${SITE}favicon.ico`, () => new HttpResponse(null, { status: 404 })),
  ];
}

/** The usual Kissmetrics snippet: the queue, the key, and the two scripts loaded async. */
export function kissmetricsSnippet(apiKey: string): string {
  return `
  var _kmq = _kmq || [];
  var _kmk = _kmk || '${apiKey}';
  function _kms(u) {
    setTimeout(function () {
      var d = document, f = d.getElementsByTagName('script')[0], s = d.createElement('script');
      s.type = 'text/javascript'; s.async = true; s.src = u;
      f.parentNode.insertBefore(s, f);
    }, 1);
  }
  _kms('//i.kissmetrics.io/i.js');
  _kms('//scripts.kissmetrics.io/' + _kmk + '.2.js');
`;
}

/** Tapstream's loader: the queue, and the web tracker loaded async. */
export const TAPSTREAM_SNIPPET = `
  var _tsq = _tsq || [];
  (function () {
    var s = document.createElement('script');
    s.type = 'text/javascript'; s.async = true;
    s.src = '//cdn.tapstream.com/static/js/tapstream.js';
    var x = document.getElementsByTagName('script')[0];
    x.parentNode.insertBefore(s, x);
  })();
`;
