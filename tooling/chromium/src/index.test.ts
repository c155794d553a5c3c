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

test('beacons and keepalive fetches sent while a page unloads reach the handlers', async () => {
  const seen: string[] = [];
  const page = (next: string) =>
    new HttpResponse(
      `<script>
        addEventListener('pagehide', () => {
          navigator.sendBeacon('https://collect.test/beacon', 'left=${next}');
          fetch('https://collect.test/keepalive?left=${next}', { keepalive: true, mode: 'no-cors' });
        });
      </script>`,
      { headers: { 'content-type': 'text/html' } },
    );
  const context = await browser.newContext();
  const routing = await routeToMsw(context, [
    http.get('https://app.test/', () => page('first')),
    http.get('https://app.test/next', () => page('second')),
    http.post('https://collect.test/beacon', async ({ request }) => {
      seen.push(`beacon ${await request.text()}`);
      return new HttpResponse(null, { status: 204 });
    }),
    http.get('https://collect.test/keepalive', ({ request }) => {
      seen.push(`keepalive ${new URL(request.url).search}`);
      return new HttpResponse(null, { status: 204 });
    }),
  ]);
  const tab = await context.newPage();
  await tab.goto('https://app.test/');
  // Navigating away, then closing: both unloads send.
  await tab.goto('https://app.test/next');
  await tab.close({ runBeforeUnload: true });
  await expect
    .poll(() => seen.sort())
    .toEqual([
      'beacon left=first',
      'beacon left=second',
      'keepalive ?left=first',
      'keepalive ?left=second',
    ]);
  expect(routing.unhandled).toEqual([]);
  await context.close();
});

test('each context is answered by its own handlers, the newest route of a context first', async () => {
  const serve = (text: string) => http.get('https://app.test/', () => HttpResponse.text(text));
  const first = await browser.newContext();
  const second = await browser.newContext();
  await routeToMsw(first, [serve('first')]);
  await routeToMsw(second, [serve('second, old')]);
  await routeToMsw(second, [serve('second, new')]);
  const unrouted = await browser.newContext();
  const pages = await Promise.all([first, second].map((context) => context.newPage()));
  for (const page of pages) await page.goto('https://app.test/');
  expect(await Promise.all(pages.map((page) => page.textContent('body')))).toEqual([
    'first',
    'second, new',
  ]);
  // A context nobody routes goes to the network, which this machine does not reach.
  const stray = await unrouted.newPage();
  await expect(stray.goto('https://app.test/')).rejects.toThrow(/ERR_/);
  await Promise.all([first, second, unrouted].map((context) => context.close()));
});

test('setOffline fails every request of the context until it is online again', async () => {
  const context = await browser.newContext();
  const routing = await routeToMsw(context, [
    http.get('https://app.test/', () =>
      HttpResponse.html(
        '<script>window.ping = () => fetch("/ping").then((r) => r.text(), () => "failed")</script>',
      ),
    ),
    http.get('https://app.test/ping', () => HttpResponse.text('pong')),
  ]);
  const page = await context.newPage();
  await page.goto('https://app.test/');
  await routing.setOffline(true);
  expect(await page.evaluate(() => (window as unknown as { ping(): Promise<string> }).ping())).toBe(
    'failed',
  );
  await routing.setOffline(false);
  expect(await page.evaluate(() => (window as unknown as { ping(): Promise<string> }).ping())).toBe(
    'pong',
  );
  await context.close();
});
