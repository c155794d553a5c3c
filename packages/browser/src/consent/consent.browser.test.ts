import { createKissmetricsEmulator } from '@kmkit/msw';
import { collectPageErrors, type MswRoute } from '@kmkit/test-chromium';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SITE, sitePages, useChromium } from '../../test/chromium.js';
import '../../test/page-globals.js';

const API_KEY = 'km-key';
const emulator = createKissmetricsEmulator({ apiKeys: [API_KEY] });
// Registered first, so it runs after the contexts are closed (hooks run in reverse order).
afterEach(() => emulator.reset());
const chromium = useChromium();
const poll = { timeout: 15_000, interval: 50 };

// `start(options)` creates the client and records its events; `calls()` makes a visit's calls and
// says when (ms, before and after).
const START = `
  window.events = [];
  window.start = (options) => {
    window.km = kmkit.createKissmetrics(Object.assign({ apiKey: '${API_KEY}' }, options));
    for (const name of ['drop', 'invalid', 'warning', 'consent']) {
      km.on(name, (e) => events.push([name, e.reason || e.code || e.state || '', e.call || '']));
    }
    return true;
  };
  window.calls = () => {
    const before = Date.now();
    km.identify('ada@example.com', { plan: 'pro' });
    km.track('Signed Up', { source: 'landing' });
    km.page('home');
    return [before, Date.now()];
  };
`;

interface Site {
  readonly page: Page;
  readonly route: MswRoute;
  readonly errors: string[];
  /** Every request the page made, but the page and the kmkit bundle. */
  readonly requested: string[];
}

async function openSite(options: { gpc?: boolean } = {}): Promise<Site> {
  const { context, route } = await chromium.newContext([
    ...emulator.handlers,
    ...sitePages(chromium.bundle, { '/': START }),
  ]);
  if (options.gpc) {
    // What a browser with Global Privacy Control turned on (Firefox, Brave, an extension) exposes.
    await context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
    );
  }
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  const requested: string[] = [];
  page.on('request', (request) => {
    if (![SITE, `${SITE}kmkit.js`, `${SITE}favicon.ico`].includes(request.url())) {
      requested.push(request.url());
    }
  });
  await page.goto(SITE);
  return { page, route, errors, requested };
}

/** Every localStorage key and every cookie of the site: the test site keeps none of its own. */
async function storedBy(page: Page): Promise<string[]> {
  const keys = await page.evaluate(() => Object.keys(localStorage));
  const cookies = await page.context().cookies();
  return [...keys, ...cookies.map((cookie) => `cookie ${cookie.name}`)].sort();
}

const makeCalls = (page: Page) => page.evaluate(() => (window.calls as () => number[])());
const seconds = (ms: number) => Math.floor(ms / 1000);

/** Each `/e` and `/s` Kissmetrics received: `[path, event name or '', _t]`. */
const timedRequests = () =>
  emulator
    .requests()
    .filter((request) => request.path !== '/a')
    .map((request) => [request.path, request.params._n ?? '', Number(request.params._t)]);

describe('consent in Chromium, against the emulated Kissmetrics', { timeout: 60_000 }, () => {
  for (const mode of ['cloud', 'device'] as const) {
    it(`${mode} mode: before consent nothing is stored, loaded or sent; granting delivers each held event once, at its time`, async () => {
      const { page, route, errors, requested } = await openSite();
      await page.evaluate((mode) => window.start({ mode, consent: 'pending' }), mode);
      const [before, after] = (await makeCalls(page)) as [number, number];
      // Long enough for a clock that kmkit read at granting to show in `_t`.
      await page.waitForTimeout(2100);
      expect(await page.evaluate(() => km.identity())).toBe('');
      expect(await storedBy(page)).toEqual([]);
      expect(requested).toEqual([]);
      expect(emulator.requests()).toEqual([]);
      expect(await page.evaluate(() => document.scripts.length)).toBe(2);

      await page.evaluate(() => km.setConsent('granted'));
      const expected = mode === 'cloud' ? 5 : 4;
      await expect.poll(() => emulator.requests().length, poll).toBe(expected);
      // Nothing more comes (no resend, no second copy).
      await page.evaluate(() => km.flush());
      await page.waitForTimeout(500);
      const requests = emulator.requests();
      expect(requests).toHaveLength(expected);
      expect(requests.every((request) => request.status === 'accepted')).toBe(true);
      const timed = timedRequests();
      expect(timed.map(([path, name]) => `${path} ${name}`).sort()).toEqual(
        [
          '/e Signed Up',
          '/e Viewed home page',
          '/s ',
          // Cloud mode records the page load's Visited Site (the library's emulation has it off).
          ...(mode === 'cloud' ? ['/e Visited Site'] : []),
        ].sort(),
      );
      for (const [, , time] of timed) {
        expect(time).toBeLessThanOrEqual(seconds(after));
        expect(time).toBeGreaterThanOrEqual(seconds(before) - 1);
      }
      const anonymous = emulator.person('ada@example.com')?.identities[0];
      expect(emulator.person('ada@example.com')?.identities).toEqual([
        anonymous,
        'ada@example.com',
      ]);
      // Stored from now on: the identity (and, in device mode, the library's cookies).
      expect((await storedBy(page)).length).toBeGreaterThan(0);
      if (mode === 'device') {
        expect(requested).toEqual(
          expect.arrayContaining([
            'https://i.kissmetrics.io/i.js',
            `https://scripts.kissmetrics.io/${API_KEY}.2.js`,
          ]),
        );
      }
      expect(await page.evaluate(() => window.events)).toEqual([['consent', 'granted', '']]);
      expect(errors).toEqual([]);
      expect(route.unhandled).toEqual([]);
    });

    it(`${mode} mode: denying after events drops and counts what waits, leaves no storage, and sends nothing more`, async () => {
      const { page, route, errors } = await openSite();
      if (mode === 'cloud') {
        // Offline, so that the events wait in the queue when consent is withdrawn.
        await route.setOffline(true);
        await page.evaluate(() => window.start({ mode: 'cloud' }));
        await makeCalls(page);
        expect(await storedBy(page)).toEqual(
          expect.arrayContaining(['kmkit_anonymous_id', 'kmkit_user_id']),
        );
        expect(await page.evaluate(() => km.stats().queued)).toBe(5);
      } else {
        await page.evaluate(() => window.start({ mode: 'device' }));
        await makeCalls(page);
        await expect.poll(() => emulator.requests().length, poll).toBe(4);
        expect(await storedBy(page)).toEqual(expect.arrayContaining(['cookie km_ai']));
      }
      await page.evaluate(() => {
        km.setConsent('denied');
        km.track('After Denial');
      });
      const queued = mode === 'cloud' ? 5 : 0;
      expect(await page.evaluate(() => km.stats())).toMatchObject({
        consent: 'denied',
        dropped: queued + 1,
        queued: 0,
      });
      const drops = await page.evaluate(() => window.events.filter(([name]) => name === 'drop'));
      expect(drops).toEqual([
        ...Array(queued).fill(['drop', 'consent_denied', '']),
        ['drop', 'consent_denied', 'track'],
      ]);
      expect(await storedBy(page)).toEqual([]);
      const received = emulator.requests().length;
      await route.setOffline(false);
      await page.waitForTimeout(1500);
      expect(emulator.requests()).toHaveLength(received);
      expect(await storedBy(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(route.unhandled).toEqual([]);
    });

    it(`${mode} mode: a browser with Global Privacy Control starts denied`, async () => {
      const { page, route, errors, requested } = await openSite({ gpc: true });
      expect(
        await page.evaluate(
          () => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl,
        ),
      ).toBe(true);
      await page.evaluate((mode) => window.start({ mode }), mode);
      await makeCalls(page);
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => km.stats())).toMatchObject({
        consent: 'denied',
        dropped: 3,
      });
      expect(await storedBy(page)).toEqual([]);
      expect(requested).toEqual([]);
      // The site may ignore the signal: then it is the site's `consent` that counts.
      await page.evaluate(
        (mode) => window.start({ mode, respectGlobalPrivacyControl: false, consent: 'pending' }),
        mode,
      );
      expect(await page.evaluate(() => km.stats().consent)).toBe('pending');
      expect(errors).toEqual([]);
      expect(route.unhandled).toEqual([]);
    });

    it(`${mode} mode: forget() leaves no key or cookie behind, and the next call is a new anonymous visitor`, async () => {
      const { page, route, errors } = await openSite();
      await page.evaluate((mode) => window.start({ mode }), mode);
      await page.evaluate(() => km.track('Before Forget'));
      await expect.poll(() => emulator.requests().length, poll).toBe(mode === 'cloud' ? 2 : 1);
      const before = await page.evaluate(() => km.identity());
      expect(before).not.toBe('');
      expect((await storedBy(page)).length).toBeGreaterThan(0);
      await page.evaluate(() => km.forget());
      expect(await storedBy(page)).toEqual([]);
      await page.evaluate(() => km.track('After Forget'));
      const after = await page.evaluate(() => km.identity());
      await expect.poll(() => emulator.person(after)?.events.length, poll).toBe(1);
      expect(after).not.toBe(before);
      expect(emulator.person(after)).toMatchObject({
        identities: [after],
        events: [{ name: 'After Forget' }],
      });
      expect(emulator.person(before)?.events.map((event) => event.name)).not.toContain(
        'After Forget',
      );
      expect(errors).toEqual([]);
      expect(route.unhandled).toEqual([]);
    });
  }
});
