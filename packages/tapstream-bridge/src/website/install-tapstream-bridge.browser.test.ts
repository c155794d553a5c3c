import { TAPSTREAM_TIMELINE_COOKIE } from '@kmkit/msw';
import {
  bundleForBrowser,
  collectPageErrors,
  kissmetricsSnippet,
  routeToMsw,
  SITE,
  sitePage,
  useChromium,
} from '@kmkit/test-chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNT, KM_KEY, useSeedWorld } from '../../test/seed-world.js';
import { sendAppEvent } from '../../test/tapstream-sdk.js';
import { aliasOnboardedUser, createMemoryAliasStore, lookupTimeline } from '../index.js';

// The bridge's browser part in a real Chromium: the page runs the emulated Kissmetrics JS and
// loads the emulated tapstream.js through the bridge; every page request is answered by the
// @kmkit/msw emulators living in this process, where the app and the server parts then run.
const { km, ts, forwarder } = useSeedWorld({ postbackSecret: 'browser-flow-secret' });

const chromium = useChromium();
let bridgeScript = '';
let kmkitScript = '';
beforeAll(async () => {
  bridgeScript = await bundleForBrowser(new URL('../../test/bridge-page.ts', import.meta.url), {
    globalName: 'kmkitBridge',
  });
  // @kmkit/browser from source, for the pages whose consent it decides.
  kmkitScript = await bundleForBrowser(new URL('../../../browser/src/index.ts', import.meta.url), {
    globalName: 'kmkit',
  });
});
afterEach(() => {
  km.reset();
  ts.reset();
});

// The page's globals, as page.evaluate callbacks (run in the page) read them.
interface PageGlobals {
  KM: { i(): string };
  _kmq: unknown[] | { push(...items: unknown[]): number };
  _tsq: unknown[] | { push(...items: unknown[]): number };
  hitResult?: unknown;
  unavailable?: { reason: string; message: string };
  secondInstalled?: boolean;
}

const poll = { timeout: 15_000, interval: 50 };

/**
 * Opens the site with the Kissmetrics snippet (unless `withKissmetrics` is false), or
 * `@kmkit/browser` as `window.kmkit` (`withKmkit`), and `body`.
 */
async function openSite(
  body: string,
  options: { withKissmetrics?: boolean; withKmkit?: boolean } = {},
): Promise<{
  page: Page;
  context: BrowserContext;
  errors: string[];
  unhandled: string[];
  requested: string[];
}> {
  const context = await chromium.newContext();
  const head = options.withKmkit
    ? '<script src="/kmkit.js"></script>'
    : options.withKissmetrics === false
      ? ''
      : `<script>${kissmetricsSnippet(KM_KEY)}</script>`;
  const html = `<!doctype html><html><head>${head}<script src="/bridge.js"></script></head><body>${body}</body></html>`;
  const route = await routeToMsw(context, [
    ...km.handlers,
    ...ts.handlers,
    ...sitePage(html, { '/bridge.js': bridgeScript, '/kmkit.js': kmkitScript }),
  ]);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  const requested: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(SITE)) requested.push(request.url());
  });
  await page.goto(SITE);
  return { page, context, errors, unhandled: route.unhandled, requested };
}

async function timelineCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find(
    (candidate) => candidate.name === TAPSTREAM_TIMELINE_COOKIE,
  );
  return decodeURIComponent(cookie?.value ?? '');
}

const INSTALL = `<script>
  kmkitBridge.installTapstreamBridge({ accountName: 'acme' }).hit.then(function (result) { window.hitResult = result; });
</script>`;

describe('installTapstreamBridge in Chromium', { timeout: 60_000 }, () => {
  test('loads tapstream.js and fires one hit whose km_identity is KM.i() of the Kissmetrics JS', async () => {
    const { page, context, errors, unhandled } = await openSite(`${INSTALL}
      <script>
        window.secondInstalled = kmkitBridge.installTapstreamBridge({ accountName: 'acme' }).installed;
      </script>`);
    await expect.poll(() => ts.timelines().length, poll).toBe(1);
    const identity = await page.evaluate(() => (window as unknown as PageGlobals).KM.i());
    // The emulated library's anonymous ids always hold '+', '/' and '=': they survived the trip.
    expect(identity).toMatch(/[+/=]/);
    const timeline = await timelineCookie(context);
    expect(ts.timeline(timeline)?.hits).toEqual([
      expect.objectContaining({
        tracker: 'javascript_tracker',
        custom_parameters: { km_identity: identity },
      }),
    ]);
    expect(await page.evaluate(() => (window as unknown as PageGlobals).hitResult)).toEqual({
      identity,
    });
    expect(await page.evaluate(() => (window as unknown as PageGlobals).secondInstalled)).toBe(
      false,
    );

    // A later hit through the same tracker: the bridge's went before it, and only once.
    await page.evaluate(() =>
      ((window as unknown as PageGlobals)._tsq as { push(...items: unknown[]): number }).push([
        'fireHit',
        'barrier',
        [],
      ]),
    );
    await expect.poll(() => ts.timeline(timeline)?.hits.length, poll).toBe(2);
    expect(
      ts
        .timeline(timeline)
        ?.hits.map((hit) => hit.tracker)
        .sort(),
    ).toEqual(['barrier', 'javascript_tracker']);
    expect(
      await page.evaluate(() => document.querySelectorAll('script[src*="tapstream.js"]').length),
    ).toBe(1);
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  test('when the Kissmetrics JS is blocked, fires the hit without identity after the timeout and says why', async () => {
    km.faults.set('js', { rate: 1, failWith: 'network-error' });
    const { page, context, errors } = await openSite(`<script>
      kmkitBridge.installTapstreamBridge({
        accountName: 'acme',
        timeoutMs: 300,
        onIdentityUnavailable: function (unavailable) { window.unavailable = unavailable; },
      }).hit.then(function (result) { window.hitResult = result; });
    </script>`);
    await expect.poll(() => ts.timelines().length, poll).toBe(1);
    const timeline = await timelineCookie(context);
    expect(ts.timeline(timeline)?.hits).toEqual([
      expect.objectContaining({ tracker: 'javascript_tracker', custom_parameters: {} }),
    ]);
    await expect
      .poll(() => page.evaluate(() => (window as unknown as PageGlobals).unavailable?.reason), poll)
      .toBe('timeout');
    // The only page errors are the blocked Kissmetrics scripts themselves.
    expect(
      errors.filter((error) => !/ERR_CONNECTION_RESET|Failed to load resource/.test(error)),
    ).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
  });

  test("takes a cloud-mode client's identity() without the Kissmetrics JS", async () => {
    const { context, errors, unhandled } = await openSite(
      `<script>
        // Stands in for a @kmkit/browser cloud-mode client: only identity() is used.
        var cloudClient = { identity: function () { return Promise.resolve('cloud+visitor/1=='); } };
        kmkitBridge.installTapstreamBridge({ accountName: 'acme', identity: cloudClient });
      </script>`,
      { withKissmetrics: false },
    );
    await expect.poll(() => ts.timelines().length, poll).toBe(1);
    expect(ts.timeline(await timelineCookie(context))?.hits[0]?.custom_parameters).toEqual({
      km_identity: 'cloud+visitor/1==',
    });
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  test('with a @kmkit/browser device client as consent: nothing is loaded or sent before consent, then one hit with KM.i()', async () => {
    const { page, context, errors, unhandled, requested } = await openSite(
      `<script>
        window.km = kmkit.createKissmetrics({ apiKey: '${KM_KEY}', mode: 'device', consent: 'pending' });
        km.track('Viewed Pricing');
        kmkitBridge.installTapstreamBridge({ accountName: 'acme', consent: km })
          .hit.then(function (result) { window.hitResult = result; });
      </script>`,
      { withKmkit: true },
    );
    await page.waitForTimeout(1000);
    expect(requested).toEqual([]);
    expect(await context.cookies()).toEqual([]);
    expect(ts.timelines()).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as PageGlobals).hitResult)).toBeUndefined();

    // The visitor accepts: one call decides for both.
    await page.evaluate(() =>
      (window as unknown as { km: { setConsent(state: string): void } }).km.setConsent('granted'),
    );
    await expect.poll(() => ts.timelines().length, poll).toBe(1);
    const identity = await page.evaluate(() => (window as unknown as PageGlobals).KM.i());
    expect(ts.timeline(await timelineCookie(context))?.hits).toEqual([
      expect.objectContaining({
        tracker: 'javascript_tracker',
        custom_parameters: { km_identity: identity },
      }),
    ]);
    await expect.poll(() => km.person(identity)?.events.length, poll).toBe(1);
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  test('the visitor of this page and the app user become one Kissmetrics person', async () => {
    const { page, context, errors } = await openSite(`${INSTALL}
      <script>_kmq.push(['record', 'Viewed Pricing']);</script>`);
    await expect.poll(() => ts.timelines().length, poll).toBe(1);
    const visitor = await page.evaluate(() => (window as unknown as PageGlobals).KM.i());
    await expect.poll(() => km.person(visitor)?.events.length, poll).toBe(1);
    const timeline = await timelineCookie(context);

    // The app: install event, attribution, lookup, alias; then Tapstream's postbacks.
    const uuid = 'chromium-app-session';
    await sendAppEvent({
      ...ACCOUNT,
      account: ACCOUNT.name,
      uuid,
      name: 'android-myapp-install',
      createdMs: Date.now(),
    });
    ts.attribute(uuid, timeline);
    const lookedUp = await lookupTimeline({
      secret: ACCOUNT.secret,
      eventSession: uuid,
      attempts: 1,
    });
    const alias = await aliasOnboardedUser({
      apiKey: KM_KEY,
      timeline: lookedUp,
      namedIdentity: 'dana@example.com',
      store: createMemoryAliasStore(),
    });
    expect(alias).toMatchObject({ outcome: 'aliased', kmIdentity: visitor });
    await ts.settled();
    await forwarder.flush();

    expect(km.rejected()).toEqual([]);
    expect(km.people()).toHaveLength(1);
    expect(km.person('dana@example.com')?.identities).toEqual([visitor, 'dana@example.com']);
    expect(km.person('dana@example.com')?.events.map((event) => event.name)).toEqual([
      'Viewed Pricing',
      'android-myapp-install',
    ]);
    expect(errors).toEqual([]);
  });
});
