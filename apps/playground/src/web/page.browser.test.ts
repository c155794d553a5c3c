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

describe('the playground page in Chromium, built by vite', { timeout: 120_000 }, () => {
  it('sends identify, page and track in both modes, runs the Tapstream flow, and the timelines show it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(site.url);
      await page.waitForSelector('body[data-ready="true"]', WAIT);

      // Device mode (the default): the emulated Kissmetrics JS runs _kmq.
      await call(page, 'identify');
      await call(page, 'page');
      await call(page, 'track');
      const device = person(page, 'my-userID');
      await expect.poll(() => events(device), WAIT).toEqual(['Viewed home page', 'Track me']);
      await expect
        .poll(() => device.locator('.badge').allTextContents(), WAIT)
        .toEqual(['device visitor']);
      const deviceIdentities = await device.locator('[data-testid="identities"]').textContent();
      // The anonymous visitor of the Kissmetrics JS, aliased to the user id on identify.
      expect(deviceIdentities).toMatch(/^\S+ ~ my-userID$/);
      await expect(device.locator('.properties').textContent()).resolves.toContain(
        'name=Tintin  city=Brussels  country=Belgium  email=tintin@herge.com',
      );
      const kmq = await page.locator('[data-testid="kmq"] li').allTextContents();
      expect(kmq).toEqual(
        expect.arrayContaining([
          '["identify","my-userID"]',
          '["record","Track me",{"category":"category","label":"label","value":"value"}]',
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
      await expect.poll(() => events(cloud), WAIT).toEqual(['Viewed opera page', 'Sang an Aria']);
      await expect
        .poll(() => cloud.locator('.badge').allTextContents(), WAIT)
        .toEqual(['cloud visitor']);
      await expect(cloud.locator('[data-testid="event"]').last().textContent()).resolves.toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ Sang an Aria aria=The Jewel Song$/,
      );
      const requests = await page.locator('[data-testid="requests"] li').allTextContents();
      expect(requests.filter((line) => line.includes('castafiore@herge.com'))).toHaveLength(4);
      expect(requests.every((line) => line.trim().endsWith('accepted'))).toBe(true);

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

      mkdirSync(REPORTS, { recursive: true });
      await page.screenshot({ path: join(REPORTS, 'playground.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
