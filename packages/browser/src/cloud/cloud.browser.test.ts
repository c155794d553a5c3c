import { createKissmetricsEmulator } from '@kmkit/msw';
import type { MswRoute } from '@kmkit/test-chromium';
import { collectPageErrors } from '@kmkit/test-chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SITE, sitePages, useChromium } from '../../test/chromium.js';
import '../../test/page-globals.js';

const API_KEY = 'km-key';
const emulator = createKissmetricsEmulator({ apiKeys: [API_KEY] });
// Registered first, so it runs after the contexts are closed (hooks run in reverse order).
afterEach(() => emulator.reset());
const chromium = useChromium();
const poll = { timeout: 15_000, interval: 50 };

// Every page of the site: `start(options)` creates the cloud client and records its events.
const START = `
  window.events = [];
  window.start = (options) => {
    // Automatic events have tests of their own: here a page load records none.
    window.km = kmkit.createKissmetrics(Object.assign({ apiKey: '${API_KEY}', mode: 'cloud', autoEvents: false }, options));
    for (const name of ['delivered', 'retry', 'error', 'drop', 'warning', 'invalid']) {
      km.on(name, (e) => events.push([name, e.code || e.reason || '', e.message || '']));
    }
    return true;
  };
  // A clock one second ahead at each reading, so that fast page views keep distinct _t values.
  window.tickingClock = () => {
    let now = Date.now();
    return { now: () => (now += 1000) };
  };
`;

interface OpenPage {
  readonly page: Page;
  readonly errors: string[];
}

async function openPage(context: BrowserContext, path = '/'): Promise<OpenPage> {
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(new URL(path, SITE).href);
  return { page, errors };
}

// The route of the latest site, for its `unhandled` requests and `setOffline`.
let route: MswRoute;

async function newSite(pages: Record<string, string> = { '/': START }): Promise<BrowserContext> {
  const site = await chromium.newContext([
    ...emulator.handlers,
    ...sitePages(chromium.bundle, pages),
  ]);
  route = site.route;
  return site.context;
}

/** Every event of the person, in order, and the requests Kissmetrics received for them, by status. */
function received(identity: string) {
  const identities = new Set(emulator.person(identity)?.identities);
  const statuses: Record<string, number> = {};
  for (const request of emulator.requests()) {
    if (!identities.has(request.params._p!)) continue;
    statuses[request.status] = (statuses[request.status] ?? 0) + 1;
  }
  return {
    events: emulator.person(identity)?.events.map((event) => event.name) ?? [],
    statuses,
  };
}

const identityOf = (page: Page) => page.evaluate(() => window.km.identity());
const queuedIn = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('kmkit:q:')).length);

describe('cloud mode in Chromium, against the emulated tracking API', { timeout: 60_000 }, () => {
  it('delivers identify, track and page, and aliases the anonymous id to the user id', async () => {
    const { page, errors } = await openPage(await newSite());
    await page.evaluate(() => window.start());
    const anonymousId = await identityOf(page);
    const result = await page.evaluate(async () => {
      km.track('Viewed Pricing', { plan: 'pro', tags: ['a', 'b'] });
      km.identify('bob@example.com', { name: 'Bob' });
      km.page('home', { path: '/' });
      return km.flush();
    });
    expect(result).toEqual({ delivered: 4, failed: 0, dropped: 0 });
    expect(emulator.person('bob@example.com')).toEqual({
      identities: [anonymousId, 'bob@example.com'],
      events: [
        {
          name: 'Viewed Pricing',
          time: expect.any(Number),
          properties: { plan: 'pro', tags: 'a,b' },
        },
        {
          name: 'Viewed home page',
          time: expect.any(Number),
          properties: { url: SITE, path: '/' },
        },
      ],
      properties: { plan: 'pro', tags: 'a,b', name: 'Bob', path: '/', url: SITE },
    });
    expect(received('bob@example.com').statuses).toEqual({ accepted: 4 });
    expect(await queuedIn(page)).toBe(0);
    expect(await page.evaluate(() => window.events.map(([name]) => name))).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(errors).toEqual([]);
    expect(route.unhandled).toEqual([]);
  });

  it('keeps the visitor when the site moves from device mode to cloud mode (km_ai is reused)', async () => {
    const context = await newSite({
      '/': START,
      '/device': `
        window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'device' });
        km.track('Seen With The Kissmetrics JS');
        km.identity().then((id) => { window.deviceId = id; });
      `,
    });
    const { page, errors } = await openPage(context, '/device');
    await expect.poll(() => page.evaluate(() => window.deviceId), poll).toBeTruthy();
    const deviceId = (await page.evaluate(() => window.deviceId)) as string;
    await expect.poll(() => emulator.requests().length, poll).toBe(1);
    await page.goto(SITE);
    await page.evaluate(() => window.start());
    // The library's anonymous id, Base64 with + / and =, decoded from its cookie and re-encoded.
    expect(await identityOf(page)).toBe(deviceId);
    await page.evaluate(() => {
      km.track('Seen With kmkit');
      return km.flush();
    });
    expect(received(deviceId)).toEqual({
      events: ['Seen With The Kissmetrics JS', 'Seen With kmkit'],
      statuses: { accepted: 2 },
    });
    expect(emulator.rejected()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('keeps events queued while the endpoint fails, and delivers them after a reload', async () => {
    emulator.faults.set('*', { rate: 1, failWith: 'network-error' });
    const { page, errors } = await openPage(await newSite());
    await page.evaluate(() => {
      window.start();
      km.track('Added To Cart', { sku: 'A-1' });
      km.track('Started Checkout');
      km.identify('ann@example.com');
    });
    const anonymousId = await identityOf(page);
    // Every request was tried and failed (their beacons at unload fail too).
    await expect
      .poll(() => emulator.faults.counts().e?.['network-error'] ?? 0, poll)
      .toBeGreaterThan(1);
    expect(await queuedIn(page)).toBe(3);
    await page.reload();
    expect(await queuedIn(page)).toBe(3);
    emulator.faults.clear();
    const result = await page.evaluate(() => {
      window.start();
      return km.flush();
    });
    expect(result).toEqual({ delivered: 3, failed: 0, dropped: 0 });
    expect(received('ann@example.com')).toEqual({
      events: ['Added To Cart', 'Started Checkout'],
      statuses: { accepted: 3 },
    });
    expect(emulator.person(anonymousId)).toEqual(emulator.person('ann@example.com'));
    expect(await queuedIn(page)).toBe(0);
    // Only the browser's own report of each injected network failure.
    for (const error of errors)
      expect(error).toMatch(/Failed to load resource: net::ERR_CONNECTION_RESET/);
  });

  it('sends what is queued while the visitor navigates away (keepalive fetch and beacons)', async () => {
    // The first request is slow: the others are still waiting when the page goes.
    emulator.faults.set('e', { answers: [{ delayMs: 1000 }] });
    const context = await newSite({ '/': START, '/next': '' });
    const { page } = await openPage(context);
    await page.evaluate(() => window.start({ concurrency: 1 }));
    await expect.poll(() => page.evaluate(() => km.stats().sender), poll).toBe(true);
    const anonymousId = await identityOf(page);
    await page.evaluate(() => {
      for (let i = 1; i <= 5; i++) km.track(`Clicked ${i}`);
      location.href = '/next';
    });
    await page.waitForURL(`${SITE}next`);
    await expect.poll(() => received(anonymousId).events.length, poll).toBe(5);
    expect(received(anonymousId).events.sort()).toEqual([
      'Clicked 1',
      'Clicked 2',
      'Clicked 3',
      'Clicked 4',
      'Clicked 5',
    ]);
    // The waiting ones left as beacons: form-encoded POSTs. (Chromium also rejects the in-flight
    // fetch when the navigation starts, though the request still goes out: that one may arrive
    // twice, and Kissmetrics drops the duplicate.)
    const posts = emulator.requests().filter((request) => request.method === 'POST');
    expect(posts.length).toBeGreaterThanOrEqual(4);
    expect(received(anonymousId).statuses.accepted).toBe(5);
    // Nothing was acknowledged to the page: all stay queued, for the next page load to resend.
    expect(await queuedIn(page)).toBe(5);
    await page.goto(SITE);
    const result = await page.evaluate(() => {
      window.start();
      return km.flush();
    });
    expect(result).toEqual({ delivered: 5, failed: 0, dropped: 0 });
    // Kissmetrics drops the resends by _p + _n + _t: the person still has each event once.
    expect(received(anonymousId).statuses.accepted).toBe(5);
    expect(received(anonymousId).statuses.duplicate).toBeGreaterThanOrEqual(5);
    expect(received(anonymousId).events).toHaveLength(5);
    expect(await queuedIn(page)).toBe(0);
  });

  it('waits while offline and delivers when the browser is online again', async () => {
    const context = await newSite();
    const { page, errors } = await openPage(context);
    await page.evaluate(() => window.start());
    await route.setOffline(true);
    // The page hears the offline event on its own schedule.
    await expect.poll(() => page.evaluate(() => km.stats().paused), poll).toBe(true);
    const stats = await page.evaluate(() => {
      km.track('Offline Click');
      km.identify('olga@example.com', { plan: 'free' });
      return km.stats();
    });
    expect(stats).toMatchObject({ paused: true, queued: 3, inFlight: 0, retries: 0 });
    expect(emulator.requests()).toEqual([]);
    await route.setOffline(false);
    expect(await page.evaluate(() => km.flush())).toEqual({ delivered: 3, failed: 0, dropped: 0 });
    expect(received('olga@example.com')).toEqual({
      events: ['Offline Click'],
      statuses: { accepted: 3 },
    });
    expect(errors).toEqual([]);
  });

  for (const election of ['Web Locks', 'the localStorage lease']) {
    it(`lets one of two tabs send, with ${election}, and nothing is sent twice`, async () => {
      const withoutLocks =
        election === 'Web Locks'
          ? ''
          : `Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined });`;
      const context = await newSite({ '/': withoutLocks + START });
      const first = await openPage(context);
      const second = await openPage(context);
      await first.page.evaluate(() => window.start());
      await second.page.evaluate(() => window.start());
      await expect
        .poll(
          async () => [
            await first.page.evaluate(() => km.stats().sender),
            await second.page.evaluate(() => km.stats().sender),
          ],
          poll,
        )
        .toEqual([true, false]);
      const anonymousId = await identityOf(first.page);
      expect(await identityOf(second.page)).toBe(anonymousId);
      const track = (page: Page, tab: string) =>
        page.evaluate(async (name) => {
          for (let i = 1; i <= 10; i++) km.track(`${name} ${i}`);
          return km.flush();
        }, tab);
      const [fromFirst, fromSecond] = await Promise.all([
        track(first.page, 'First Tab'),
        track(second.page, 'Second Tab'),
      ]);
      expect(fromFirst).toEqual({ delivered: 10, failed: 0, dropped: 0 });
      // The second tab only saw its requests leave the shared queue: the first tab sent them.
      expect(fromSecond).toEqual({ delivered: 10, failed: 0, dropped: 0 });
      expect(received(anonymousId).events).toHaveLength(20);
      expect(received(anonymousId).statuses).toEqual({ accepted: 20 });
      expect(await second.page.evaluate(() => km.stats().delivered)).toBe(0);

      // The sending tab closes: the other one takes over.
      await first.page.close();
      await expect.poll(() => second.page.evaluate(() => km.stats().sender), poll).toBe(true);
      expect(
        await second.page.evaluate(() => {
          km.track('After Handover');
          return km.flush();
        }),
      ).toEqual({
        delivered: 1,
        failed: 0,
        dropped: 0,
      });
      expect(received(anonymousId)).toEqual({
        events: expect.arrayContaining(['After Handover']),
        statuses: { accepted: 21 },
      });
      expect(first.errors).toEqual([]);
      expect(second.errors).toEqual([]);
    });
  }

  it('falls back to memory with a warning when the storage quota is exceeded, and still delivers', async () => {
    const { page, errors } = await openPage(await newSite());
    await page.evaluate(() => window.start());
    const anonymousId = await identityOf(page);
    const result = await page.evaluate(() => {
      // Fill the origin's quota to the last character, as a site with much cached data might.
      let filler = 0;
      for (let size = 1024 * 1024; size >= 1; size = Math.floor(size / 2)) {
        try {
          for (;;) localStorage.setItem(`filler-${filler++}`, 'x'.repeat(size));
        } catch {
          // This size no longer fits: try a smaller one.
        }
      }
      km.track('Despite Quota', { at: 1 });
      km.track('Still Despite Quota', { at: 2 });
      return km.flush();
    });
    expect(result).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    const warnings = await page.evaluate(() =>
      window.events.filter(([name]) => name === 'warning'),
    );
    expect(warnings).toEqual([
      ['warning', 'store_failed', expect.stringMatching(/kept in memory/)],
    ]);
    expect(received(anonymousId)).toEqual({
      events: ['Despite Quota', 'Still Despite Quota'],
      statuses: { accepted: 2 },
    });
    expect(errors).toEqual([]);
  });

  it('loads the valid requests of a poisoned saved queue, removes the rest with one warning, and flush() settles', async () => {
    const { page, errors } = await openPage(await newSite());
    const result = await page.evaluate(async (apiKey) => {
      const now = Date.now();
      const url = (name: string, host = 'https://trk.kissmetrics.io') =>
        `${host}/e?_k=${apiKey}&_p=saved-visitor&_n=${encodeURIComponent(name)}&_t=${Math.floor(now / 1000)}&_d=1`;
      const save = (id: string, value: unknown) =>
        localStorage.setItem(`kmkit:q:${apiKey}:${id}`, JSON.stringify(value));
      save('earlier-1', { t: now - 1000, r: { method: 'GET', url: url('Kept') } });
      save('earlier-2', { t: now - 1000, r: { url: 12345 } });
      save('earlier-3', {
        t: now - 1000,
        r: { method: 'GET', url: url('Away', 'https://evil.example') },
      });
      save('earlier-4', { t: now - 1000, r: { method: 'DELETE', url: url('Deleted') } });
      save('earlier-5', { r: { method: 'GET', url: url('Timeless') } });
      save('earlier-6', { t: String(now), r: { method: 'GET', url: url('Text time') } });
      localStorage.setItem(`kmkit:q:${apiKey}:earlier-7`, '{"t":');
      window.start();
      const flushed = await km.flush();
      return {
        flushed,
        left: Object.keys(localStorage).filter((key) => key.startsWith('kmkit:q:')),
      };
    }, API_KEY);
    expect(result).toEqual({ flushed: { delivered: 1, failed: 0, dropped: 0 }, left: [] });
    expect(received('saved-visitor')).toEqual({ events: ['Kept'], statuses: { accepted: 1 } });
    expect(await page.evaluate(() => window.events)).toEqual([
      ['warning', 'invalid_saved_request', expect.stringContaining('removed 6 saved request')],
      ['delivered', '', ''],
    ]);
    // Nothing was sent elsewhere, and the next page load finds a clean queue.
    expect(route.unhandled).toEqual([]);
    await page.reload();
    await page.evaluate(() => window.start());
    expect(await page.evaluate(() => km.flush())).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    expect(await page.evaluate(() => window.events)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("records Kissmetrics' automatic events of each page load: Visited Site once a visit, campaign and search hits", async () => {
    const { page, errors } = await openPage(await newSite({ '/': START, '/pricing': START }));
    const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
    const landing = `${SITE}pricing?utm_source=newsletter&utm_campaign=spring`;
    const load = async (at: number, referrer?: string) => {
      await page.clock.setFixedTime(at);
      await page.goto(landing, referrer ? { referer: referrer } : {});
      return page.evaluate(() => {
        window.start({ autoEvents: true });
        return km.flush();
      });
    };
    // From a search engine, then a reload 5 minutes later (the same visit), then a return after 31.
    expect(await load(T0, 'https://duckduckgo.com/?q=kmkit+pricing')).toMatchObject({
      delivered: 3,
    });
    const visitor = await identityOf(page);
    expect(await load(T0 + 5 * 60_000)).toMatchObject({ delivered: 1 });
    expect(await load(T0 + 36 * 60_000)).toMatchObject({ delivered: 2 });
    const events = emulator
      .person(visitor)
      ?.events.map(({ name, time, properties }) => [name, time, properties]);
    const campaign = { 'Campaign Source': 'newsletter', 'Campaign Name': 'spring', URL: landing };
    expect(events).toEqual([
      [
        'Visited Site',
        T0 / 1000,
        { URL: landing, Referrer: 'https://duckduckgo.com/?q=kmkit+pricing' },
      ],
      [
        'Search Engine Hit',
        T0 / 1000,
        { 'Search Engine': 'DuckDuckGo', 'Search Terms': 'kmkit pricing' },
      ],
      ['Ad Campaign Hit', T0 / 1000, campaign],
      ['Ad Campaign Hit', T0 / 1000 + 300, campaign],
      ['Visited Site', T0 / 1000 + 2160, { URL: landing, Referrer: 'Direct', Returning: '1' }],
      ['Ad Campaign Hit', T0 / 1000 + 2160, campaign],
    ]);
    expect(errors).toEqual([]);
    expect(route.unhandled).toEqual([]);
  });

  it('records single-page app navigations with trackPageViews', async () => {
    const { page, errors } = await openPage(await newSite());
    await page.evaluate(() => {
      window.start({ scheduler: (window.tickingClock as () => object)() });
      kmkit.trackPageViews(km);
    });
    const anonymousId = await identityOf(page);
    await page.evaluate(() => {
      history.pushState({}, '', '/pricing');
      history.pushState({}, '', '/signup?plan=pro');
    });
    await page.goBack();
    await page.evaluate(() => km.flush());
    expect(emulator.person(anonymousId)?.events.map((event) => event.properties.path)).toEqual([
      '/',
      '/pricing',
      '/signup',
      '/pricing',
    ]);
    expect(errors).toEqual([]);
  });
});
