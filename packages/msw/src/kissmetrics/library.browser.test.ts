import { collectPageErrors, routeToMsw, SITE, sitePage, useChromium } from '@kmkit/test-chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import '../../test/page-globals.js';
import { kissmetricsSnippet } from '@kmkit/test-chromium';
import { createKissmetricsEmulator, type KissmetricsEmulator } from './emulator.js';

const API_KEY = 'km-key';

/** A page with the Kissmetrics snippet, then `script`. */
const pageWith = (script: string) =>
  sitePage(
    `<!doctype html><html><head><script>${kissmetricsSnippet(API_KEY)}</script><script>${script}</script></head><body></body></html>`,
  );

const chromium = useChromium();
const km = createKissmetricsEmulator({ apiKeys: [API_KEY] });
afterEach(() => km.reset());

interface OpenPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly errors: string[];
  readonly unhandled: string[];
}

async function openPage(
  script: string,
  options: { emulator?: KissmetricsEmulator; context?: BrowserContext } = {},
): Promise<OpenPage> {
  const emulator = options.emulator ?? km;
  const context = options.context ?? (await chromium.newContext());
  const route = await routeToMsw(context, [...emulator.handlers, ...pageWith(script)]);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(SITE);
  await page.waitForFunction(() => window.KM !== undefined && !Array.isArray(window._kmq));
  return { page, context, errors, unhandled: route.unhandled };
}

const poll = { timeout: 10_000, interval: 50 };

describe('the emulated Kissmetrics JS in Chromium', { timeout: 30_000 }, () => {
  it('runs queued commands and a function reading KM.i(), and the person appears with both identities', async () => {
    const { page, context, errors, unhandled } = await openPage(`
      _kmq.push(['record', 'Viewed Pricing', { plan: 'pro', seats: 3 }]);
      _kmq.push(['set', { 'Favorite Color': 'blue' }]);
      _kmq.push(function () { window.anonymousId = KM.i(); });
      _kmq.push(['identify', 'bob@example.com']);
      _kmq.push(function () { window.namedId = KM.i(); });
    `);
    const anonymousId = (await page.evaluate(() => window.anonymousId)) as string;
    expect(await page.evaluate(() => window.namedId)).toBe('bob@example.com');
    // Random Base64 holding + / and =, so that an encoding bug cannot hide.
    expect(anonymousId).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(anonymousId).toMatch(/\+/);
    expect(anonymousId).toMatch(/\//);
    expect(anonymousId).toMatch(/=$/);

    await expect.poll(() => km.requests().length, poll).toBe(3);
    expect(km.person('bob@example.com')).toEqual({
      identities: [anonymousId, 'bob@example.com'],
      events: [
        {
          name: 'Viewed Pricing',
          time: expect.any(Number),
          properties: { plan: 'pro', seats: '3' },
        },
      ],
      properties: { plan: 'pro', seats: '3', 'Favorite Color': 'blue' },
    });
    expect(km.person(anonymousId)).toEqual(km.person('bob@example.com'));
    expect(km.rejected()).toEqual([]);

    const cookies = Object.fromEntries((await context.cookies()).map((c) => [c.name, c.value]));
    expect(cookies.km_ai).toBe(encodeURIComponent(anonymousId));
    expect(cookies.km_ni).toBe(encodeURIComponent('bob@example.com'));
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('sends the API key, the identity and a fixed time with _d=1 as image beacons to /e /s /a', async () => {
    const { errors } = await openPage(`_kmq.push(['record', 'Opened']);`);
    await expect.poll(() => km.requests().length, poll).toBe(1);
    const [request] = km.requests();
    expect(request).toMatchObject({
      method: 'GET',
      path: '/e',
      params: { _k: API_KEY, _n: 'Opened', _d: '1', _t: expect.stringMatching(/^\d{10}$/) },
      status: 'accepted',
    });
    expect(request!.url.startsWith('https://trk.kissmetrics.io/e?')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('runs a command pushed after load at once, and a pushed function synchronously', async () => {
    const { page, errors } = await openPage('');
    const ran = await page.evaluate(() => {
      let called = false;
      (window._kmq as { push(...c: unknown[]): number }).push(['record', 'Clicked'], () => {
        called = true;
      });
      return called;
    });
    expect(ran).toBe(true);
    await expect.poll(() => km.requests().length, poll).toBe(1);
    expect(km.requests()[0]?.params._n).toBe('Clicked');
    expect(errors).toEqual([]);
  });

  it('does not alias a second named identity: identify when already named makes another person', async () => {
    const { page, errors } = await openPage(`
      _kmq.push(function () { window.anonymousId = KM.i(); });
      _kmq.push(['identify', 'first@example.com']);
      _kmq.push(['identify', 'second@example.com']);
      _kmq.push(['record', 'Signed In']);
    `);
    const anonymousId = (await page.evaluate(() => window.anonymousId)) as string;
    await expect.poll(() => km.requests().length, poll).toBe(2);
    expect(km.person('first@example.com')?.identities).toEqual([anonymousId, 'first@example.com']);
    expect(km.person('second@example.com')).toEqual({
      identities: ['second@example.com'],
      events: [{ name: 'Signed In', time: expect.any(Number), properties: {} }],
      properties: {},
    });
    expect(errors).toEqual([]);
  });

  it('starts a new anonymous identity on clearIdentity and on identify(null)', async () => {
    const { page, context, errors } = await openPage(`
      _kmq.push(function () { window.ids = [KM.i()]; });
      _kmq.push(['identify', 'ann@example.com']);
      _kmq.push(['clearIdentity']);
      _kmq.push(function () { window.ids.push(KM.i()); });
      _kmq.push(['record', 'Logged Out']);
      _kmq.push(['identify', 'cy@example.com']);
      _kmq.push(['identify', null]);
      _kmq.push(function () { window.ids.push(KM.i()); });
    `);
    const [first, second, third] = (await page.evaluate(() => window.ids)) as string[];
    expect(new Set([first, second, third]).size).toBe(3);
    expect([second, third]).not.toContain('ann@example.com');
    await expect.poll(() => km.requests().length, poll).toBe(3);
    // The record after clearIdentity belongs to the new anonymous visitor, who is then cy.
    expect(km.person('cy@example.com')).toMatchObject({
      identities: [second, 'cy@example.com'],
      events: [{ name: 'Logged Out' }],
    });
    expect(km.person('ann@example.com')?.identities).toEqual([first, 'ann@example.com']);
    const cookies = Object.fromEntries((await context.cookies()).map((c) => [c.name, c.value]));
    expect(cookies.km_ai).toBe(encodeURIComponent(third!));
    expect(cookies.km_ni).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('keeps the anonymous id of an existing km_ai cookie', async () => {
    const context = await chromium.newContext();
    await context.addCookies([
      { name: 'km_ai', value: encodeURIComponent('Kept+Id/Q=='), url: SITE },
    ]);
    const { page, errors } = await openPage(`_kmq.push(['set', { visits: 2 }]);`, { context });
    expect(await page.evaluate(() => window.KM.i())).toBe('Kept+Id/Q==');
    await expect.poll(() => km.person('Kept+Id/Q==')?.properties, poll).toEqual({ visits: '2' });
    expect(errors).toEqual([]);
  });

  it('keeps the identity across page loads through the cookies', async () => {
    const first = await openPage(`_kmq.push(['identify', 'dee@example.com']);`);
    await expect.poll(() => km.requests().length, poll).toBe(1);
    const second = await openPage(`_kmq.push(['record', 'Came Back']);`, {
      context: first.context,
    });
    expect(await second.page.evaluate(() => window.KM.i())).toBe('dee@example.com');
    await expect.poll(() => km.person('dee@example.com')?.events.length, poll).toBe(1);
    expect(km.requests().filter((request) => request.path === '/a')).toHaveLength(1);
  });

  it('honours _t and _d passed in the properties', async () => {
    const { errors } = await openPage(`
      _kmq.push(['record', 'Backfilled', { _t: 1700000000, _d: 1, source: 'import' }]);
      _kmq.push(['set', { _t: 1700000100, _d: 1, tier: 'gold' }]);
    `);
    await expect.poll(() => km.requests().length, poll).toBe(2);
    const person = km.people()[0]!;
    expect(person.events).toEqual([
      { name: 'Backfilled', time: 1_700_000_000, properties: { source: 'import' } },
    ]);
    expect(km.propertyHistory(person.identities[0]!, 'tier')).toEqual([
      { time: 1_700_000_100, value: 'gold' },
    ]);
    expect(errors).toEqual([]);
  });

  it('sends a _t without _d=1 as given, which the emulator rejects like the bug it is', async () => {
    await openPage(`_kmq.push(['record', 'Bad Time', { _t: 1700000000 }]);`);
    await expect
      .poll(() => km.rejected().map((request) => request.reason), poll)
      .toEqual(['time_without_d']);
  });

  it('sends alias with both identities', async () => {
    const { errors } = await openPage(`_kmq.push(['alias', 'new-id', 'old-id']);`);
    await expect.poll(() => km.person('old-id')?.identities, poll).toEqual(['new-id', 'old-id']);
    expect(errors).toEqual([]);
  });

  it('defines KM.ts() as the time in whole seconds', async () => {
    const { page } = await openPage('');
    const [ts, now] = await page.evaluate(() => [window.KM.ts(), Date.now()]);
    expect(Number.isInteger(ts)).toBe(true);
    expect(Math.abs(ts! - now! / 1000)).toBeLessThanOrEqual(1);
  });

  it('initialises once when both i.js and <key>.2.js load', async () => {
    const { page, errors } = await openPage(`
      _kmq.push(['record', 'Once']);
      _kmq.push(function () { window.firstKM = KM; });
    `);
    // Once both scripts have run, the KM of the first one is still the one in place.
    await page.waitForFunction(
      () =>
        performance
          .getEntriesByType('resource')
          .filter((entry) => /kissmetrics\.io\/.*\.js$/.test(entry.name)).length === 2,
    );
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(await page.evaluate(() => window.KM === window.firstKM)).toBe(true);
    await expect.poll(() => km.requests().length, poll).toBe(1);
    expect(errors).toEqual([]);
  });

  it('works with the <key>.2.js alone, as Segment loads it, and sets _kmk from it', async () => {
    const context = await chromium.newContext();
    const html = `<!doctype html><script>var _kmq = [['record', 'Segment Style']];</script>
      <script src="https://scripts.kissmetrics.io/${API_KEY}.2.js"></script>`;
    await routeToMsw(context, [...km.handlers, ...sitePage(html)]);
    const page = await context.newPage();
    const pageErrors = collectPageErrors(page);
    await page.goto(SITE);
    expect(await page.evaluate(() => window._kmk)).toBe(API_KEY);
    await expect.poll(() => km.requests().length, poll).toBe(1);
    expect(km.requests()[0]?.params).toMatchObject({ _k: API_KEY, _n: 'Segment Style' });
    expect(pageErrors).toEqual([]);
  });

  it('reports an unsupported command and an error thrown by a function, and goes on with the queue', async () => {
    const { errors } = await openPage(`
      _kmq.push(['trackClick', 'buy', 'Clicked Buy']);
      _kmq.push(function () { throw new Error('boom'); });
      _kmq.push(['record', 'After']);
    `);
    await expect.poll(() => km.requests().length, poll).toBe(1);
    expect(km.requests()[0]?.params._n).toBe('After');
    await expect
      .poll(() => errors, poll)
      .toEqual([expect.stringContaining('"trackClick" is not emulated'), 'pageerror: boom']);
  });

  it('records Visited Site once a session when the option is on, unless KM_SKIP_VISITED_SITE', async () => {
    const visiting = createKissmetricsEmulator({ library: { visitedSite: true } });
    const first = await openPage('', { emulator: visiting });
    await expect.poll(() => visiting.requests().length, poll).toBe(1);
    expect(visiting.people()[0]?.events).toEqual([
      {
        name: 'Visited Site',
        time: expect.any(Number),
        properties: { URL: SITE, Referrer: 'Direct' },
      },
    ]);
    await openPage('', { emulator: visiting, context: first.context });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(visiting.requests()).toHaveLength(1);

    await openPage('window.KM_SKIP_VISITED_SITE = true;', { emulator: visiting });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(visiting.requests()).toHaveLength(1);
  });

  it('records Visited Site on a first load even when the page queued commands before the library loaded', async () => {
    const visiting = createKissmetricsEmulator({ library: { visitedSite: true } });
    await openPage(`_kmq.push(['record', 'Early']);`, { emulator: visiting });
    await expect.poll(() => visiting.requests().length, poll).toBe(2);
    expect(visiting.people()[0]?.events.map((event) => event.name)).toEqual([
      'Early',
      'Visited Site',
    ]);
  });

  it('records the automatic events of a tagged landing from a search engine, and a returning visit after 31 minutes idle', async () => {
    const auto = createKissmetricsEmulator({ library: { autoEvents: true } });
    const context = await chromium.newContext();
    await routeToMsw(context, [...auto.handlers, ...pageWith('')]);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const start = Date.UTC(2024, 4, 1, 10, 0, 0);
    const open = async (url: string, at: number, referer?: string) => {
      await page.clock.setFixedTime(at);
      await page.goto(url, referer === undefined ? {} : { referer });
      await page.waitForFunction(() => window.KM !== undefined && !Array.isArray(window._kmq));
    };
    const landing = `${SITE}?utm_source=newsletter&utm_campaign=spring+sale&gclid=abc`;
    await open(landing, start, 'https://duckduckgo.com/?q=spring+shoes');
    await expect.poll(() => auto.requests().length, poll).toBe(2);
    // gclid: a paid click, so no Search Engine Hit beside the campaign.
    expect(auto.people()[0]?.events).toEqual([
      {
        name: 'Visited Site',
        time: start / 1000,
        properties: { URL: landing, Referrer: 'https://duckduckgo.com/?q=spring+shoes' },
      },
      {
        name: 'Ad Campaign Hit',
        time: start / 1000,
        properties: {
          'Campaign Source': 'newsletter',
          'Campaign Name': 'spring sale',
          URL: landing,
        },
      },
    ]);
    await open(SITE, start + 10 * 60_000, 'https://www.google.co.uk/search?q=shoes');
    await expect.poll(() => auto.requests().length, poll).toBe(3);
    expect(auto.people()[0]?.events[2]).toEqual({
      name: 'Search Engine Hit',
      time: start / 1000 + 600,
      properties: { 'Search Engine': 'Google', 'Search Terms': 'shoes' },
    });
    await open(SITE, start + 41 * 60_000);
    await expect.poll(() => auto.requests().length, poll).toBe(4);
    expect(auto.people()[0]?.events[3]).toEqual({
      name: 'Visited Site',
      time: start / 1000 + 41 * 60,
      properties: { URL: SITE, Referrer: 'Direct', Returning: '1' },
    });
    expect(auto.rejected()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('sends to the library endpoint option, e.g. a first-party proxy', async () => {
    const proxied = createKissmetricsEmulator({
      endpoints: ['https://site.test/km'],
      library: { endpoint: 'https://site.test/km' },
    });
    const { errors } = await openPage(`_kmq.push(['record', 'Proxied']);`, { emulator: proxied });
    await expect.poll(() => proxied.requests().length, poll).toBe(1);
    expect(proxied.requests()[0]?.url.startsWith('https://site.test/km/e?')).toBe(true);
    expect(errors).toEqual([]);
  });
});
