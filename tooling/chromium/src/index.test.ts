import { HttpResponse, http } from 'msw';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { collectPageErrors, launchChromium, routeToMsw } from './index.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('a page is served by MSW handlers, its beacons and fetches reach them, strangers are refused', async () => {
  const seen: string[] = [];
  const handlers = [
    http.get(
      'https://app.test/',
      () =>
        new HttpResponse(
          `<script>
          navigator.sendBeacon('https://collect.test/beacon', 'a=1');
          fetch('https://collect.test/fetch').then((r) => r.text()).then((t) => { document.title = t; });
          fetch('https://stranger.test/').catch(() => { document.body.dataset.refused = 'yes'; });
        </script>`,
          { headers: { 'content-type': 'text/html' } },
        ),
    ),
    http.post('https://collect.test/beacon', async ({ request }) => {
      seen.push(`beacon ${await request.text()}`);
      return new HttpResponse(null, { status: 204 });
    }),
    http.get('https://collect.test/fetch', () => {
      seen.push('fetch');
      return HttpResponse.text('answered', { headers: { 'access-control-allow-origin': '*' } });
    }),
  ];
  const context = await browser.newContext();
  const routing = await routeToMsw(context, handlers);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto('https://app.test/');
  await page.waitForFunction(() => document.title === 'answered' && document.body.dataset.refused);
  await expect.poll(() => seen.sort()).toEqual(['beacon a=1', 'fetch']);
  expect(routing.unhandled).toEqual(['GET https://stranger.test/']);
  expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  await context.close();
});

test('console errors and uncaught exceptions of a page are collected', async () => {
  const context = await browser.newContext();
  await routeToMsw(context, [
    http.get(
      'https://app.test/',
      () =>
        new HttpResponse('<script>console.error("boom"); throw new Error("bad");</script>', {
          headers: { 'content-type': 'text/html' },
        }),
    ),
  ]);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto('https://app.test/');
  await expect.poll(() => errors.length).toBe(2);
  expect(errors).toEqual(['console.error: boom', 'pageerror: bad']);
  await context.close();
});
