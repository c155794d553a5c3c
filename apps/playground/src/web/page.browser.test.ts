import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectPageErrors, launchChromium } from '@kmkit/test-chromium';
import type { Browser, Locator, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../test/static-server.js';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const REPORTS = fileURLToPath(new URL('../../../../.reports/', import.meta.url));
const WAIT = { timeout: 15_000 };
// A common laptop screen: what a call did must show beside it without scrolling.
const VIEWPORT = { width: 1366, height: 768 };

let browser: Browser;
let site: Awaited<ReturnType<typeof serveStatic>>;
let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'kmkit-playground-web-'));
  // The page as `vite build` makes it, served like any static site.
  [browser] = await Promise.all([
    launchChromium(),
    build({
      root: PACKAGE_DIR,
      logLevel: 'error',
      build: { outDir, emptyOutDir: true },
    }),
  ]);
  site = await serveStatic(outDir);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  rmSync(outDir, { recursive: true, force: true });
}, 30_000);

/** Fills a call's form and submits it. */
async function call(page: Page, name: string, fields: Record<string, string> = {}) {
  const form = page.locator(`form[data-call="${name}"]`);
  for (const [field, value] of Object.entries(fields)) {
    await form.locator(`[name="${field}"]`).fill(value);
  }
  await form.getByRole('button').click();
}

/** The timeline card of the person whose identities include `identity`. */
function person(page: Page, identity: string): Locator {
  return page.locator('[data-testid="person"]', {
    has: page.locator('[data-testid="identities"]', { hasText: identity }),
  });
}

async function events(card: Locator): Promise<string[]> {
  return card.locator('[data-testid="event"] strong').allTextContents();
}

/**
 * Whether the element is wholly on screen: inside the window and inside every scrolling box
 * around it (a log scrolled away from it hides it as much as the window would).
 */
function onScreen(target: Locator): Promise<boolean> {
  return target.evaluate((node) => {
    const rect = node.getBoundingClientRect();
    let visible = { top: 0, left: 0, bottom: window.innerHeight, right: window.innerWidth };
    for (let box = node.parentElement; box; box = box.parentElement) {
      const { overflowX, overflowY } = getComputedStyle(box);
      if (overflowX === 'visible' && overflowY === 'visible') continue;
      const clip = box.getBoundingClientRect();
      visible = {
        top: Math.max(visible.top, clip.top),
        left: Math.max(visible.left, clip.left),
        bottom: Math.min(visible.bottom, clip.bottom),
        right: Math.min(visible.right, clip.right),
      };
    }
    const slack = 1;
    return (
      rect.height > 0 &&
      rect.top >= visible.top - slack &&
      rect.bottom <= visible.bottom + slack &&
      rect.left >= visible.left - slack &&
      rect.right <= visible.right + slack
    );
  });
}

/** The tokens (a `key=value` pair, a word) shown on more than one line: broken mid-token. */
function brokenTokens(page: Page): Promise<string[]> {
  return page
    .locator('.pair, .token')
    .evaluateAll((nodes) =>
      nodes
        .filter((node) => node.getClientRects().length > 1)
        .map((node) => node.textContent ?? ''),
    );
}

describe('the playground page in Chromium, built by vite', { timeout: 120_000 }, () => {
  it('sends identify, page and track in both modes, runs the Tapstream flow, and the timelines show it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(site.url);
      await page.waitForSelector('body[data-ready="true"]', WAIT);

      // The page itself never scrolls at 1366x768: each column scrolls on its own.
      await expect(
        page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight),
      ).resolves.toBe(true);

      // Device mode (the default): the emulated Kissmetrics JS runs _kmq. Right after each click,
      // the request it sent is on screen in the wire panel, beside the form.
      const requests = page.locator('[data-testid="requests"] li');
      await call(page, 'identify');
      await expect
        .poll(() => onScreen(requests.filter({ hasText: 'name=Tintin' })), WAIT)
        .toBe(true);
      await call(page, 'page');
      await call(page, 'track');
      await expect
        .poll(() => onScreen(requests.filter({ hasText: '_n="Track me"' })), WAIT)
        .toBe(true);
      const device = person(page, 'my-userID');
      await expect.poll(() => events(device), WAIT).toEqual(['Viewed home page', 'Track me']);
      await expect
        .poll(() => device.locator('.badge').allTextContents(), WAIT)
        .toEqual(['device visitor']);
      const deviceIdentities = await device.locator('[data-testid="identities"]').textContent();
      // The anonymous visitor of the Kissmetrics JS, aliased to the user id on identify.
      expect(deviceIdentities).toMatch(/^\S+ ~ my-userID$/);
      await expect(device.locator('.properties').textContent()).resolves.toContain(
        'name=Tintin city=Brussels country=Belgium email=tintin@herge.com',
      );
      await expect(onScreen(device.locator('[data-testid="event"]').last())).resolves.toBe(true);
      const kmq = await page.locator('[data-testid="kmq"] li').allTextContents();
      expect(kmq).toEqual(
        expect.arrayContaining([
          "['identify', 'my-userID']",
          "['record', 'Track me', { category: 'category', label: 'label', value: 'value' }]",
        ]),
      );

      // Cloud mode: @kmkit/browser sends from its queue; another visitor, another user.
      await page.locator('input[name="mode"][value="cloud"]').check();
      await call(page, 'identify', { userId: 'castafiore@herge.com' });
      await call(page, 'page', { name: 'opera' });
      await call(page, 'track', {
        event: 'Sang an Aria',
        properties: '{ "aria": "The Jewel Song" }',
      });
      const cloud = person(page, 'castafiore@herge.com');
      // Cloud mode records Kissmetrics' automatic Visited Site of the page load, as the library does.
      await expect
        .poll(() => events(cloud), WAIT)
        .toEqual(['Visited Site', 'Viewed opera page', 'Sang an Aria']);
      await expect
        .poll(() => cloud.locator('.badge').allTextContents(), WAIT)
        .toEqual(['cloud visitor']);
      await expect(cloud.locator('[data-testid="event"]').last().textContent()).resolves.toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Sang an Aria aria="The Jewel Song"$/,
      );
      await expect
        .poll(() => onScreen(requests.filter({ hasText: '_n="Sang an Aria"' })), WAIT)
        .toBe(true);
      const lines = await requests.allTextContents();
      expect(lines.filter((line) => line.includes('castafiore@herge.com'))).toHaveLength(4);
      expect(lines.every((line) => line.trim().endsWith('accepted'))).toBe(true);

      // Faults: every tracking request fails with 503; cloud mode retries and delivers once they stop.
      expect(errors).toEqual([]);
      await page.locator('input[name="rate"]').fill('100');
      await call(page, 'track', { event: 'Rode the Rocket', properties: '{}' });
      await expect
        .poll(() => page.locator('[data-testid="events"] .event.retry').count(), WAIT)
        .toBeGreaterThan(0);
      await page.locator('input[name="rate"]').fill('0');
      await expect.poll(() => events(cloud), { timeout: 20_000 }).toContain('Rode the Rocket');
      await expect(page.locator('[data-testid="faults"]').textContent()).resolves.toMatch(/503 ×/);
      // Chromium logs each injected 503 as a failed resource: those, and nothing else.
      const faultLogs = errors.splice(0);
      expect(faultLogs.length).toBeGreaterThan(0);
      expect(new Set(faultLogs)).toEqual(
        new Set([
          'console.error: Failed to load resource: the server responded with a status of 503 (Service Unavailable)',
        ]),
      );

      // The Tapstream guide, as the device-mode visitor (now named my-userID).
      await page.locator('input[name="mode"][value="device"]').check();
      for (const step of ['visit', 'install', 'alias', 'use']) {
        await page.locator(`[data-step="${step}"]`).click();
        await page.waitForSelector(`[data-result="${step}"][data-done]`, WAIT);
      }
      await expect(page.locator('[data-result="visit"]').textContent()).resolves.toContain(
        'km_identity=my-userID',
      );
      await expect(page.locator('[data-result="alias"]').textContent()).resolves.toContain(
        'aliasOnboardedUser: aliased',
      );
      const joined = person(page, 'tintin@herge.com');
      await expect
        .poll(() => events(joined), WAIT)
        .toEqual([
          'Viewed home page',
          'Track me',
          'ios-myapp-install',
          'ios-myapp-open',
          'ios-myapp-purchase-pro',
        ]);
      // One person: the web visitor (anonymous and named) and the app user.
      await expect(joined.locator('[data-testid="identities"]').textContent()).resolves.toBe(
        `${deviceIdentities} ~ tintin@herge.com`,
      );
      await expect(page.locator('[data-testid="person"]').count()).resolves.toBe(2);
      await expect(page.locator('[data-testid="requests"] .rejected').count()).resolves.toBe(0);

      // Consent, in cloud mode: pending holds the call, granted sends it with the time it was made
      // at, forget() leaves nothing stored, denied drops.
      await page.locator('input[name="mode"][value="cloud"]').check();
      const consent = page.locator('#consent');
      const logged = page.locator('[data-testid="events"] li');
      await consent.locator('input[name="consent"][value="pending"]').check();
      await expect.poll(() => logged.filter({ hasText: 'consent: pending' }).count(), WAIT).toBe(2);
      await call(page, 'track', { event: 'Waited For Consent', properties: '{}' });
      await expect
        .poll(() => consent.locator('[data-testid="held"]').textContent(), WAIT)
        .toBe('cloud 1');
      await page.waitForTimeout(500);
      await expect(requests.filter({ hasText: 'Waited For Consent' }).count()).resolves.toBe(0);
      await consent.locator('input[name="consent"][value="granted"]').check();
      await expect
        .poll(() => events(cloud), WAIT)
        .toEqual([
          'Visited Site',
          'Viewed opera page',
          'Sang an Aria',
          'Rode the Rocket',
          'Waited For Consent',
        ]);
      await expect(consent.locator('[data-testid="held"]').textContent()).resolves.toBe('none');
      await expect
        .poll(() => consent.locator('[data-testid="stored"]').textContent(), WAIT)
        .toContain('kmkit_anonymous_id');
      await consent.getByRole('button', { name: 'forget()' }).click();
      await expect
        .poll(() => consent.locator('[data-testid="stored"]').textContent(), WAIT)
        .toBe('nothing');
      await call(page, 'track', { event: 'After Forget', properties: '{}' });
      const fresh = page.locator('[data-testid="person"]', { hasText: 'After Forget' });
      await expect.poll(() => events(fresh), WAIT).toEqual(['After Forget']);
      await expect(
        fresh.locator('[data-testid="identities"]').textContent(),
      ).resolves.not.toContain('castafiore');
      await consent.locator('input[name="consent"][value="denied"]').check();
      await call(page, 'track', { event: 'Refused', properties: '{}' });
      await expect
        .poll(() => logged.filter({ hasText: 'consent_denied: track()' }).count(), WAIT)
        .toBe(1);
      await expect
        .poll(() => consent.locator('[data-testid="stored"]').textContent(), WAIT)
        .toBe('nothing');
      await page.waitForTimeout(500);
      await expect(requests.filter({ hasText: 'Refused' }).count()).resolves.toBe(0);

      // Ad-blocker and the relay: one visitor, whose requests to Kissmetrics' hosts fail. Straight to
      // Kissmetrics the event waits in the browser; through the site's relay it reaches Kissmetrics
      // with the visitor's address and browser, which the relay adds.
      const relayPanel = page.locator('#relay');
      const visitor = 'haddock@herge.com';
      await expect(relayPanel.locator('[data-testid="relay-visitor"]').textContent()).resolves.toBe(
        visitor,
      );
      const userAgent = await page.evaluate(() => navigator.userAgent);
      const outcome = (route: string) =>
        relayPanel.locator(`[data-result="${route}"]`).getAttribute('data-outcome');
      await relayPanel.locator('input[name="adBlocker"]').check();
      await relayPanel.locator('input[name="relayEvent"]').fill('Compared Plans');
      await relayPanel.locator('[data-send="direct"]').click();
      await expect.poll(() => outcome('direct'), WAIT).toBe('blocked');
      await expect(relayPanel.locator('[data-result="direct"]').textContent()).resolves.toMatch(
        /^blocked: GET trk\.kissmetrics\.io\/e failed with a network error, as the ad-blocker makes it\. The request waits in the browser's queue \(1 waiting\)/,
      );
      await expect
        .poll(() => relayPanel.locator('[data-testid="relay-queued"]').textContent(), WAIT)
        .toBe('direct 1');
      await relayPanel.locator('input[name="relayEvent"]').fill('Started a Trial');
      await relayPanel.locator('[data-send="relayed"]').click();
      await expect.poll(() => outcome('relayed'), WAIT).toBe('delivered');
      await expect(relayPanel.locator('[data-result="relayed"]').textContent()).resolves.toContain(
        `Kissmetrics received it for _p=${visitor} with _ip=203.0.113.7 _ua=${userAgent}`,
      );
      const relayed = requests.filter({ hasText: '_n="Started a Trial"' });
      await expect.poll(() => onScreen(relayed), WAIT).toBe(true);
      const relayedLine = await relayed.textContent();
      expect(relayedLine).toMatch(
        /^GET \/e _p=haddock@herge\.com _n="Started a Trial" _t=\d+ _d=1 via=relay _ip=203\.0\.113\.7 /,
      );
      expect(relayedLine).toContain(` _ua=${JSON.stringify(userAgent)} accepted`);
      const adBlocked = person(page, visitor);
      await expect.poll(() => events(adBlocked), WAIT).toEqual(['Started a Trial']);
      await expect(adBlocked.locator('.badge').allTextContents()).resolves.toEqual([
        'ad-blocked visitor',
      ]);
      await expect(adBlocked.locator('[data-testid="sent-from"]').textContent()).resolves.toBe(
        `sent from _ip=203.0.113.7 _ua=${JSON.stringify(userAgent)}`,
      );
      await expect
        .poll(() => relayPanel.locator('[data-testid="relay-relay"]').textContent(), WAIT)
        .toBe('accepted 1, delivered 1');
      // Still blocked: nothing of it reached Kissmetrics, and it waits in the browser's queue.
      await page.waitForTimeout(1000);
      await expect(requests.filter({ hasText: 'Compared Plans' }).count()).resolves.toBe(0);
      await expect(relayPanel.locator('[data-testid="relay-queued"]').textContent()).resolves.toBe(
        'direct 1',
      );
      // The ad-blocker off, the event that waited goes out: to the same visitor.
      await relayPanel.locator('input[name="adBlocker"]').uncheck();
      await expect
        .poll(async () => (await events(adBlocked)).sort(), { timeout: 20_000 })
        .toEqual(['Compared Plans', 'Started a Trial']);
      await expect
        .poll(() => relayPanel.locator('[data-testid="relay-queued"]').textContent(), WAIT)
        .toBe('none');
      await expect.poll(() => outcome('direct'), WAIT).toBe('delivered');
      await expect(relayPanel.locator('[data-result="direct"]').textContent()).resolves.toMatch(
        / Then delivered, once nothing blocked it\.$/,
      );
      // Chromium logs each blocked attempt as a failed resource: those, and nothing else.
      const blockedLogs = errors.splice(0);
      expect(blockedLogs.length).toBeGreaterThan(0);
      expect(new Set(blockedLogs)).toEqual(
        new Set(['console.error: Failed to load resource: net::ERR_FAILED']),
      );
      await expect(relayPanel.locator('[data-testid="relay-blocked"]').textContent()).resolves.toBe(
        String(blockedLogs.length),
      );

      // Logs and timelines wrap between tokens, never inside one (`my-userID`, `_t=1796288083`).
      await expect(brokenTokens(page)).resolves.toEqual([]);

      // The screenshot shows the ad-blocked visitor's timeline, beside the relay panel.
      await adBlocked.scrollIntoViewIfNeeded();
      mkdirSync(REPORTS, { recursive: true });
      await page.screenshot({ path: join(REPORTS, 'playground.png') });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
