import { createKissmetricsEmulator } from '@kmkit/msw';
import {
  collectPageErrors,
  kissmetricsSnippet,
  routeToMsw,
  SITE,
  sitePage,
  useChromium,
} from '@kmkit/test-chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import '../../test/page-globals.js';
import type { AutoEventsOption } from './page-load-events.js';
import { recordPageLoad, type VisitStorage } from './visit-session.js';

// The same page loads go to the emulated Kissmetrics JS (in Chromium, its automatic events on, as
// the real library has them) and to the cloud mode's rules (`recordPageLoad`, fed what the page
// says: its URL, its referrer, its clock): both must record the same events.

const API_KEY = 'km-key';
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
const MINUTE = 60_000;
const poll = { timeout: 10_000, interval: 50 };
const LANDING = `${SITE}?utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale&utm_term=shoes`;

const chromium = useChromium();
const km = createKissmetricsEmulator({ apiKeys: [API_KEY], library: { autoEvents: true } });
afterEach(() => km.reset());

interface Recorded {
  readonly event: string;
  readonly properties: Record<string, string>;
}

/** One browser with its cookies (the library's side) and its cloud-mode visit record. */
async function visitor(skips = '') {
  const context: BrowserContext = await chromium.newContext();
  const route = await routeToMsw(context, [
    ...km.handlers,
    ...sitePage(
      `<!doctype html><html><head><script>${skips}${kissmetricsSnippet(API_KEY)}</script></head><body></body></html>`,
    ),
  ]);
  const page: Page = await context.newPage();
  const errors = collectPageErrors(page);
  const items = new Map<string, string>();
  const storage: VisitStorage = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };

  /** Loads `url` at `now` from `referrer`; what the library recorded, and what cloud mode would. */
  async function load(url: string, now: number, referrer?: string, option?: AutoEventsOption) {
    await page.clock.setFixedTime(now);
    const before = km.requests().length;
    await page.goto(url, referrer === undefined ? {} : { referer: referrer });
    await page.waitForFunction(() => window.KM !== undefined && !Array.isArray(window._kmq));
    const seen = await page.evaluate(() => ({
      url: location.href,
      referrer: document.referrer,
      now: Date.now(),
    }));
    const cloud = recordPageLoad(storage, seen, option).map(({ event, properties }) => ({
      event,
      properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, String(v)])),
    }));
    // A marker recorded after load: the library's own events were sent before it.
    await page.evaluate(() =>
      (window._kmq as { push(c: unknown): void }).push(['record', 'Loaded']),
    );
    await expect
      .poll(
        () =>
          km
            .requests()
            .slice(before)
            .some((r) => r.params._n === 'Loaded'),
        poll,
      )
      .toBe(true);
    await expect.poll(() => km.requests().length - before, poll).toBe(cloud.length + 1);
    const library: Recorded[] = km
      .requests()
      .slice(before)
      .filter((r) => r.params._n !== 'Loaded')
      .map((r) => ({
        event: r.params._n!,
        properties: Object.fromEntries(
          Object.entries(r.params).filter(([key]) => !key.startsWith('_')),
        ),
      }));
    // Beacons may arrive in any order; the order itself is a unit test of each side.
    const byName = (a: Recorded, b: Recorded) => a.event.localeCompare(b.event);
    return { library: library.sort(byName), cloud: cloud.sort(byName), seen };
  }
  return { load, errors, unhandled: route.unhandled };
}

describe("the emulated Kissmetrics JS and cloud mode's automatic events", {
  timeout: 60_000,
}, () => {
  it('agree on a landing, a reload, a return after 31 minutes and a Google Ads click', async () => {
    const browser = await visitor();

    // A campaign landing from a search engine: a new visit, a search hit and a campaign hit.
    const landing = await browser.load(LANDING, T0, 'https://www.bing.com/search?q=spring+shoes');
    expect(landing.cloud.map((e) => e.event)).toEqual([
      'Ad Campaign Hit',
      'Search Engine Hit',
      'Visited Site',
    ]);
    expect(landing.cloud[0]?.properties).toMatchObject({
      'Campaign Source': 'newsletter',
      'Campaign Name': 'spring sale',
      'Campaign Terms': 'shoes',
    });
    expect(landing.cloud[1]?.properties['Search Engine']).toBe('Bing');
    expect(landing.library).toEqual(landing.cloud);

    // A reload 5 minutes later: the same visit, the tagged URL and referrer judged again.
    const reload = await browser.load(
      LANDING,
      T0 + 5 * MINUTE,
      'https://www.bing.com/search?q=spring+shoes',
    );
    expect(reload.cloud.map((e) => e.event)).toEqual(['Ad Campaign Hit', 'Search Engine Hit']);
    expect(reload.library).toEqual(reload.cloud);

    // Back after 31 minutes without activity, typing the address: a returning visit.
    const back = await browser.load(SITE, T0 + 36 * MINUTE);
    expect(back.cloud).toEqual([
      { event: 'Visited Site', properties: { URL: SITE, Referrer: 'Direct', Returning: '1' } },
    ]);
    expect(back.library).toEqual(back.cloud);

    // A Google Ads click within that visit: a campaign, no organic search hit.
    const ad = await browser.load(
      `${SITE}?gclid=EAIaIQobChMI`,
      T0 + 40 * MINUTE,
      'https://www.google.com/',
    );
    expect(ad.cloud.map((e) => e.event)).toEqual(['Ad Campaign Hit']);
    expect(ad.library).toEqual(ad.cloud);

    expect(km.rejected()).toEqual([]);
    expect(browser.errors).toEqual([]);
    expect(browser.unhandled).toEqual([]);
  });

  it('agree when the KM_SKIP_* globals (and the matching options) leave events out', async () => {
    const browser = await visitor(
      'window.KM_SKIP_VISITED_SITE = true; window.KM_SKIP_SEARCH_ENGINE = true;',
    );
    const landing = await browser.load(LANDING, T0, 'https://www.google.com/', {
      visitedSite: false,
      searchEngineHit: false,
    });
    expect(landing.cloud.map((e) => e.event)).toEqual(['Ad Campaign Hit']);
    expect(landing.library).toEqual(landing.cloud);
    expect(browser.errors).toEqual([]);
  });
});
