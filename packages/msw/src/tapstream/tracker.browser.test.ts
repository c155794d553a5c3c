import { collectPageErrors, routeToMsw, SITE, sitePage, useChromium } from '@kmkit/test-chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { useServer } from '../../test/server.js';
import { createKissmetricsEmulator } from '../kissmetrics/index.js';
import { createTapstreamEmulator } from './emulator.js';
import { TAPSTREAM_TIMELINE_COOKIE } from './tracker-script.js';
import '../../test/page-globals.js';
import { kissmetricsSnippet, TAPSTREAM_SNIPPET } from '@kmkit/test-chromium';

const ACCOUNT = { name: 'acme', secret: 's3cret' };
const KM_KEY = 'km-key';

const KISSMETRICS_SNIPPET = kissmetricsSnippet(KM_KEY);

const km = createKissmetricsEmulator({ apiKeys: [KM_KEY] });
const ts = createTapstreamEmulator({ accounts: [ACCOUNT] });
// The app side of the flow runs in this process: its fetch calls reach the same emulators.
useServer(...km.handlers, ...ts.handlers);

const chromium = useChromium();
afterEach(() => {
  km.reset();
  ts.reset();
});

async function openPage(
  body: string,
  options: { context?: BrowserContext; head?: string } = {},
): Promise<{ page: Page; context: BrowserContext; errors: string[]; unhandled: string[] }> {
  const context = options.context ?? (await chromium.newContext());
  const html = `<!doctype html><html><head><script>${TAPSTREAM_SNIPPET}</script>${options.head ?? ''}</head><body>${body}</body></html>`;
  const route = await routeToMsw(context, [...km.handlers, ...ts.handlers, ...sitePage(html)]);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(SITE);
  await page.waitForFunction(() => !Array.isArray(window._tsq));
  return { page, context, errors, unhandled: route.unhandled };
}

async function timelineCookie(context: BrowserContext): Promise<string | undefined> {
  const cookie = (await context.cookies()).find((c) => c.name === TAPSTREAM_TIMELINE_COOKIE);
  return cookie && decodeURIComponent(cookie.value);
}

const poll = { timeout: 10_000, interval: 50 };

describe('the emulated Tapstream web tracker in Chromium', { timeout: 30_000 }, () => {
  it('fires a hit with a custom parameter on the timeline kept in its cookie', async () => {
    const { context, errors, unhandled } = await openPage(
      `<script>
        _tsq.push(['setAccountName', 'acme']);
        _tsq.push(['addCustomParameter', 'plan', 'pro & more']);
        _tsq.push(['fireHit', 'spring-campaign', ['email', 'april']]);
      </script>`,
    );
    await expect.poll(() => ts.timelines().length, poll).toBe(1);
    const timeline = await timelineCookie(context);
    expect(timeline).toMatch(/^[0-9a-f]{32}$/);
    expect(ts.timeline(timeline!)?.hits).toEqual([
      {
        id: 1,
        tracker: 'spring-campaign',
        created: expect.any(Number),
        session_id: timeline,
        tags: ['email', 'april'],
        custom_parameters: { plan: 'pro & more' },
      },
    ]);
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('applies custom parameters to later hits only, and keeps the timeline across pages', async () => {
    const first = await openPage(
      `<script>
        _tsq.push(['setAccountName', 'acme']);
        _tsq.push(['trackPage']);
        _tsq.push(['addCustomParameter', 'step', '1']);
        _tsq.push(['addCustomParameter', 'step', '2']);
        _tsq.push(['fireHit', 'checkout', []]);
      </script>`,
    );
    await expect.poll(() => ts.timelines()[0]?.hits.length, poll).toBe(2);
    const timeline = await timelineCookie(first.context);
    await openPage(
      `<script>_tsq.push(['setAccountName', 'acme'], ['fireHit', 'again', []]);</script>`,
      {
        context: first.context,
      },
    );
    await expect.poll(() => ts.timeline(timeline!)?.hits.length, poll).toBe(3);
    expect(
      ts
        .timeline(timeline!)
        ?.hits.map((hit) => [hit.tracker, hit.custom_parameters])
        .sort(),
    ).toEqual([
      ['again', {}],
      ['checkout', { step: '2' }],
      ['javascript_tracker', {}],
    ]);
    expect(ts.timelines()).toHaveLength(1);
    expect(first.errors).toEqual([]);
  });

  it('gives the timeline id to an init callback and to a session form field', async () => {
    const { page, context, errors } = await openPage(
      `<input id="ts-session">
       <script>
        _tsq.push(['attachCallback', 'init', function (type, id) { window.initArgs = [type, id]; }]);
        _tsq.push(['setSessionFormFieldId', 'ts-session']);
      </script>`,
    );
    const timeline = await timelineCookie(context);
    expect(await page.evaluate(() => window.initArgs)).toEqual(['init', timeline]);
    expect(await page.inputValue('#ts-session')).toBe(timeline);
    expect(errors).toEqual([]);
  });

  it('reports a hit fired before setAccountName and sends nothing', async () => {
    const { page, errors } = await openPage(
      `<script>_tsq.push(['fireHit', 'early', []]);</script>`,
    );
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(ts.timelines()).toEqual([]);
    expect(errors).toEqual([expect.stringContaining('before setAccountName')]);
  });

  it('runs the seed integration end to end: KM identity on the hit, lookup in the app, alias in Kissmetrics', async () => {
    const { page, context, errors, unhandled } = await openPage('', {
      head: `<script>${KISSMETRICS_SNIPPET}</script>
        <script>
          _kmq.push(function () {
            _tsq.push(['setAccountName', 'acme']);
            _tsq.push(['addCustomParameter', 'km_identity', KM.i()]);
            _tsq.push(['fireHit', 'javascript_tracker', []]);
          });
          _kmq.push(['record', 'Viewed Landing Page']);
        </script>`,
    });
    await expect.poll(() => ts.timelines().length, poll).toBe(1);
    const anonymousId = (await page.evaluate(() => window.KM.i())) as string;
    const timeline = (await timelineCookie(context))!;
    expect(ts.timeline(timeline)?.hits[0]?.custom_parameters).toEqual({ km_identity: anonymousId });

    // The app: first run, install event, then (once attributed) the lookup and the one-time alias.
    const install = await fetch('https://api.tapstream.com/acme/event/ios-myapp-install/', {
      method: 'POST',
      body: new URLSearchParams({ secret: ACCOUNT.secret, uuid: 'app-uuid', 'created-ms': '1' }),
    });
    expect(install.status).toBe(200);
    ts.attribute('app-uuid', timeline);
    const conversion = (await (
      await fetch(
        `https://reporting.tapstream.com/v1/timelines/lookup?secret=${ACCOUNT.secret}&event_session=app-uuid`,
      )
    ).json()) as { hits: { custom_parameters: Record<string, string> }[] };
    const kmIdentity = conversion.hits[0]!.custom_parameters.km_identity!;
    expect(kmIdentity).toBe(anonymousId);
    await fetch(
      `https://trk.kissmetrics.io/a?_k=${KM_KEY}&_p=${encodeURIComponent(kmIdentity)}&_n=${encodeURIComponent('ann@example.com')}`,
    );
    await expect.poll(() => km.person('ann@example.com')?.events.length, poll).toBe(1);
    expect(km.person('ann@example.com')).toMatchObject({
      identities: [anonymousId, 'ann@example.com'],
      events: [{ name: 'Viewed Landing Page' }],
    });
    expect(km.rejected()).toEqual([]);
    expect(errors).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});
