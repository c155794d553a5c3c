import { createKissmetricsEmulator } from '@kmkit/msw';
import { collectPageErrors } from '@kmkit/test-chromium';
import { afterEach, describe, expect, it } from 'vitest';
import { SITE, sitePages, useChromium } from '../../test/chromium.js';
import '../../test/page-globals.js';

const API_KEY = 'km-key';
const emulator = createKissmetricsEmulator({ apiKeys: [API_KEY] });
afterEach(() => emulator.reset());
const chromium = useChromium();
const poll = { timeout: 15_000, interval: 50 };
const URL_VISITED = `${SITE}docs/install?ref=nav`;

// A page reached from a search engine, whose script titles it and tracks it in the given mode.
async function visit(script: string) {
  const { context, route } = await chromium.newContext([
    ...emulator.handlers,
    ...sitePages(chromium.bundle, {
      '/docs/install': `document.title = 'Install kmkit'; ${script}`,
    }),
  ]);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(URL_VISITED, { referer: 'https://search.example/results?q=kmkit' });
  return { page, errors, route };
}

const CONTEXT = {
  url: URL_VISITED,
  path: '/docs/install',
  search: '?ref=nav',
  title: 'Install kmkit',
  referrer: 'https://search.example/results?q=kmkit',
};

describe('page context in Chromium, against the emulated Kissmetrics', { timeout: 60_000 }, () => {
  it('device mode: page() records the document’s url, path, search, title and referrer', async () => {
    const { errors } = await visit(`
      window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'device' });
      km.identify('ada@example.com');
      km.page('Docs', 'Install', { path: '/docs/install-kmkit' });
    `);
    await expect.poll(() => emulator.person('ada@example.com')?.events.length, poll).toBe(1);
    expect(emulator.person('ada@example.com')?.events).toEqual([
      {
        name: 'Viewed Docs Install page',
        time: expect.any(Number),
        // The caller's path wins.
        properties: { ...CONTEXT, path: '/docs/install-kmkit' },
      },
    ]);
    expect(errors).toEqual([]);
  });

  it('cloud mode: the same properties reach the tracking API', async () => {
    const { page, errors, route } = await visit(`
      window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'cloud', autoEvents: false });
    `);
    const flushed = await page.evaluate(() => {
      km.identify('bob@example.com');
      km.page('Install');
      return km.flush();
    });
    // The identify's alias, then the page.
    expect(flushed).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(emulator.person('bob@example.com')?.events).toEqual([
      { name: 'Viewed Install page', time: expect.any(Number), properties: CONTEXT },
    ]);
    expect(errors).toEqual([]);
    expect(route.unhandled).toEqual([]);
  });

  it('pageContext: false sends only what the caller passes', async () => {
    const { page } = await visit(`
      window.km = kmkit.createKissmetrics({ apiKey: '${API_KEY}', mode: 'cloud', pageContext: false, autoEvents: false });
    `);
    await page.evaluate(() => {
      km.identify('cy@example.com');
      km.page('Install', { plan: 'pro' });
      return km.flush();
    });
    expect(emulator.person('cy@example.com')?.events).toEqual([
      { name: 'Viewed Install page', time: expect.any(Number), properties: { plan: 'pro' } },
    ]);
  });
});
