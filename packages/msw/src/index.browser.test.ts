import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  bundleForBrowser,
  collectPageErrors,
  routeToMsw,
  SITE,
  sitePage,
  useChromium,
} from '@kmkit/test-chromium';
import { beforeAll, describe, expect, it } from 'vitest';
import '../test/page-globals.js';

// Everything the page needs runs in the page: the emulators answer through MSW's service worker,
// and this process only serves the page, the bundle and the worker script.
const PAGE = `<!doctype html><html><head><script src="/emulators.js"></script><script>
  window.km = kmkitMsw.createKissmetricsEmulator({ apiKeys: ['km-key'] });
  window.ts = kmkitMsw.createTapstreamEmulator({ accounts: [{ name: 'acme', secret: 's3cret' }] });
  window.workerState = kmkitMsw
    .setupWorker(...km.handlers, ...ts.handlers)
    .start({ onUnhandledRequest: 'error', quiet: true })
    .then(function () {
      window._kmq = [
        ['record', 'Viewed Home', { source: 'worker' }],
        function () {
          window._tsq = [
            ['setAccountName', 'acme'],
            ['addCustomParameter', 'km_identity', KM.i()],
            ['fireHit', 'javascript_tracker', []],
          ];
          var tracker = document.createElement('script');
          tracker.src = 'https://cdn.tapstream.com/static/js/tapstream.js';
          document.head.appendChild(tracker);
        },
        ['identify', 'wendy@example.com'],
      ];
      window._kmk = 'km-key';
      var library = document.createElement('script');
      library.src = 'https://i.kissmetrics.io/i.js';
      document.head.appendChild(library);
      return 'started';
    });
</script></head><body></body></html>`;

const chromium = useChromium();
let bundle: string;
beforeAll(async () => {
  bundle = await bundleForBrowser(new URL('../test/worker-page.ts', import.meta.url), {
    globalName: 'kmkitMsw',
  });
}, 60_000);

describe('the emulators in a page, with setupWorker', { timeout: 30_000 }, () => {
  it('bundles for the browser (no Node built-ins) and emulates Kissmetrics and Tapstream inside the page', async () => {
    const worker = readFileSync(
      createRequire(import.meta.url).resolve('msw/mockServiceWorker.js'),
      'utf8',
    );
    const context = await chromium.newContext();
    const route = await routeToMsw(
      context,
      sitePage(PAGE, { '/emulators.js': bundle, '/mockServiceWorker.js': worker }),
    );
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(SITE);
    expect(await page.evaluate(() => window.workerState)).toBe('started');

    const poll = { timeout: 10_000, interval: 50 };
    await expect
      .poll(() => page.evaluate(() => window.km.person('wendy@example.com')?.events.length), poll)
      .toBe(1);
    const anonymousId = await page.evaluate(
      () => window.km.person('wendy@example.com')!.identities[0],
    );
    expect(await page.evaluate(() => window.km.person('wendy@example.com'))).toEqual({
      identities: [anonymousId, 'wendy@example.com'],
      events: [{ name: 'Viewed Home', time: expect.any(Number), properties: { source: 'worker' } }],
      properties: { source: 'worker' },
    });
    await expect
      .poll(() => page.evaluate(() => window.ts.timelines()[0]?.hits[0]?.custom_parameters), poll)
      .toEqual({ km_identity: anonymousId });
    expect(await page.evaluate(() => window.km.rejected())).toEqual([]);
    expect(errors).toEqual([]);
    // Nothing reached this process but the page, the bundle and the worker script.
    expect(route.unhandled).toEqual([]);
  });
});
