import { createKissmetricsEmulator } from '@kmkit/msw';
import { collectPageErrors } from '@kmkit/test-chromium';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { SITE, sitePages, useChromium } from '../../test/chromium.js';
import '../../test/page-globals.js';

const API_KEY = 'km-key';
const chromium = useChromium();
const km = createKissmetricsEmulator({ apiKeys: [API_KEY] });
afterEach(() => km.reset());
const poll = { timeout: 15_000, interval: 50 };

// Records the client's events on the page, for the test to read.
const LISTEN = `
  window.events = [];
  for (const name of ['invalid', 'warning']) {
    km.on(name, (e) => events.push([name, e.code || (e.error && e.error.code) || '', e.message || '']));
  }
`;

async function openPage(
  script: string,
): Promise<{ page: Page; errors: string[]; unhandled: string[] }> {
  const { context, route } = await chromium.newContext([
    ...km.handlers,
    ...sitePages(chromium.bundle, { '/': script }),
  ]);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(SITE);
  return { page, errors, unhandled: route.unhandled };
}

describe('device mode in Chromium, with the emulated Kissmetrics JS', { timeout: 60_000 }, () => {
  it('loads the library, and identify, track and page reach Kissmetrics as one person', async () => {
    const { page, errors, unhandled } = await openPage(`
      window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'device' });
      ${LISTEN}
      km.track('Viewed Pricing', { plan: 'pro', seats: 3 });
      km.identity().then((id) => { window.anonymousId = id; });
      km.identify('bob@example.com', { name: 'Bob', address: { city: 'Oslo' } });
      km.page('home', { path: '/' });
      km.identity().then((id) => { window.namedId = id; });
    `);
    await expect.poll(() => page.evaluate(() => window.namedId), poll).toBe('bob@example.com');
    const anonymousId = (await page.evaluate(() => window.anonymousId)) as string;
    expect(anonymousId).toMatch(/^[A-Za-z0-9+/]+=*$/);
    await expect.poll(() => km.requests().length, poll).toBe(4);
    expect(km.person('bob@example.com')).toEqual({
      identities: [anonymousId, 'bob@example.com'],
      events: [
        {
          name: 'Viewed Pricing',
          time: expect.any(Number),
          properties: { plan: 'pro', seats: '3' },
        },
        {
          name: 'Viewed home page',
          time: expect.any(Number),
          properties: { url: SITE, path: '/' },
        },
      ],
      properties: {
        plan: 'pro',
        seats: '3',
        name: 'Bob',
        'address.city': 'Oslo',
        path: '/',
        url: SITE,
      },
    });
    expect(km.rejected()).toEqual([]);
    expect(await page.evaluate(() => window.events)).toEqual([]);
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('loads each script once, with the CSP nonce, even when created twice next to the site’s snippet', async () => {
    const { page, errors } = await openPage(`
      var _kmq = _kmq || [];
      var _kmk = _kmk || '${API_KEY}';
      (function () {
        var s = document.createElement('script');
        s.async = true; s.src = '//i.kissmetrics.io/i.js';
        document.head.appendChild(s);
      })();
      window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'device', nonce: 'n0nce' });
      kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'device', nonce: 'n0nce' });
      km.track('Once');
    `);
    await expect.poll(() => km.requests().length, poll).toBe(1);
    const scripts = await page.evaluate(() =>
      Array.from(document.scripts, (s) => [s.getAttribute('src'), s.nonce]).filter(
        ([src]) => src && src !== '/kmkit.js',
      ),
    );
    expect(scripts).toEqual([
      ['//i.kissmetrics.io/i.js', ''],
      [`//scripts.kissmetrics.io/${API_KEY}.2.js`, 'n0nce'],
    ]);
    expect(errors).toEqual([]);
  });

  it('aliases the current identity and starts a new visitor on reset()', async () => {
    const { page, errors } = await openPage(`
      window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'device' });
      km.identity().then((id) => { window.first = id; });
      km.alias('carol@example.com');
      km.reset();
      km.identity().then((id) => { window.second = id; });
      km.track('After Reset');
    `);
    await expect.poll(() => page.evaluate(() => window.second), poll).toBeTruthy();
    const [first, second] = (await page.evaluate(() => [window.first, window.second])) as string[];
    expect(second).not.toBe(first);
    await expect.poll(() => km.requests().length, poll).toBe(2);
    // ['alias', newId, previousId], as RudderStack pushes it: Kissmetrics sees carol first.
    expect(km.person('carol@example.com')?.identities).toEqual(['carol@example.com', first]);
    expect(km.person(second!)?.events.map((event) => event.name)).toEqual(['After Reset']);
    expect(errors).toEqual([]);
  });

  it('works unchanged when an ad-blocker blocks the scripts: no call throws, identity() rejects after its timeout', async () => {
    km.faults.set('js', { rate: 1, failWith: 'network-error' });
    const { page, errors } = await openPage(`
      window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'device', identityTimeoutMs: 500 });
      ${LISTEN}
      km.identify('dan@example.com', { plan: 'pro' });
      km.track('Blocked Click');
      km.page();
      km.alias('dan@work.example');
      km.reset();
      km.identity().then(
        (id) => { window.outcome = 'resolved ' + id; },
        (error) => { window.outcome = [error.name, error.code, error.message]; },
      );
    `);
    await expect
      .poll(() => page.evaluate(() => window.outcome), poll)
      // A page has no `process`: messages are the short form there (see the README).
      .toEqual(['KmLibraryError', 'library_unavailable', 'library_unavailable (identity)']);
    expect(await page.evaluate(() => window.events)).toEqual([
      ['warning', 'library_blocked', expect.stringContaining('//i.kissmetrics.io/i.js')],
      ['warning', 'library_blocked', expect.stringContaining(`${API_KEY}.2.js`)],
    ]);
    // The commands wait in _kmq, in case the library loads after all.
    expect(await page.evaluate(() => (window._kmq as unknown[]).length)).toBe(7);
    expect(km.requests()).toEqual([]);
    // Only the browser's own report of the two blocked scripts.
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toMatch(/Failed to load resource/);
  });
});

describe('the presets in device mode, with the emulated Kissmetrics JS', {
  timeout: 60_000,
}, () => {
  // Each page identifies its visitor, so the emulator's person is found by name.
  async function run(options: string, calls: string) {
    const { page, errors, unhandled } = await openPage(`
      window.km = kmkit.createKissmetrics(Object.assign({ apiKey: '${API_KEY}', mode: 'device' }, ${options}));
      ${LISTEN}
      km.identify('ada@example.com');
      ${calls}
    `);
    return { page, errors, unhandled };
  }

  it('rudderstack: every prefixed key is `<event> - <key>` / `Page - <key>`, as its device integration names them', async () => {
    const { page, errors } = await run(
      `{ preset: 'rudderstack', prefixProperties: true, pageContext: false }`,
      `km.track('Track me', { label: 'hero', revenue: '$19.99' });
       km.page('Docs', 'Install', { path: '/docs', category: 'Guides' });`,
    );
    await expect.poll(() => km.person('ada@example.com')?.events.length, poll).toBe(2);
    expect(km.person('ada@example.com')?.events).toEqual([
      {
        name: 'Track me',
        time: expect.any(Number),
        properties: {
          'Track me - label': 'hero',
          'Track me - revenue': '19.99',
          'Billing Amount': '19.99',
        },
      },
      {
        // RudderStack reads the category from properties only: the top-level 'Docs' is the name.
        name: 'Viewed Guides Install page',
        time: expect.any(Number),
        properties: { 'Page - path': '/docs', 'Page - category': 'Guides' },
      },
    ]);
    expect(await page.evaluate(() => window.events)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('segment: a Page View record (Viewed URL, Referrer) before each page, page properties prefixed, id among the traits', async () => {
    const { page, errors } = await run(
      `{ preset: 'segment' }`,
      `km.identify('ada@example.com', { plan: 'pro' });
       km.page('Install');`,
    );
    await expect.poll(() => km.person('ada@example.com')?.events.length, poll).toBe(2);
    const person = km.person('ada@example.com');
    expect(person?.events).toEqual([
      {
        name: 'Page View',
        time: expect.any(Number),
        properties: { 'Viewed URL': SITE, Referrer: 'Direct' },
      },
      {
        name: 'Viewed Install Page',
        time: expect.any(Number),
        properties: { 'Page - url': SITE, 'Page - path': '/' },
      },
    ]);
    expect(person?.properties).toMatchObject({ plan: 'pro', id: 'ada@example.com' });
    expect(await page.evaluate(() => window.events)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('default: an order with its revenue as Billing Amount and one row per product, each at its own second', async () => {
    const { errors } = await run(
      `{}`,
      `km.track('Order Completed', {
         order_id: 'A-1', revenue: '$1,299.00', coupon: { code: 'SPRING' },
         products: [{ sku: 'KB-1', price: 1299 }, { sku: 'MS-2', price: 49 }],
       });`,
    );
    await expect.poll(() => km.requests().length, poll).toBe(4);
    const person = km.person('ada@example.com');
    expect(person?.events).toEqual([
      {
        name: 'Order Completed',
        time: expect.any(Number),
        properties: {
          order_id: 'A-1',
          revenue: '1299',
          'coupon.code': 'SPRING',
          'Billing Amount': '1299',
        },
      },
    ]);
    // The product rows are sets at the order's second + 1 and + 2 (sku of the last one wins).
    const sets = km.requests().filter((request) => request.path === '/s');
    const order = person!.events[0]!.time;
    expect(sets.map((request) => [request.params.sku, Number(request.params._t) - order])).toEqual([
      ['KB-1', 1],
      ['MS-2', 2],
    ]);
    expect(errors).toEqual([]);
  });
});
