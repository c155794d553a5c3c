// The relay with the real thing in front of it: @kmkit/browser's cloud mode in Chromium, behind an
// ad-blocker that blocks Kissmetrics' hosts, talking to a real loopback relay that forwards to the
// Kissmetrics emulator on another loopback port.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleForBrowser, collectPageErrors, useChromium } from '@kmkit/test-chromium';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { type RelayServer, startRelayServer } from '../../test/relay-server.js';
import { relaySite } from '../../test/relay-site.js';
import { outputOf, spawnFixture } from '../../test/run-fixture.js';
import { createKissmetricsRelay, type KissmetricsRelay } from './index.js';

const API_KEY = 'km-key';
const poll = { timeout: 20_000, interval: 50 };

// `start(options)` makes the cloud client and records its events; fast retries for the test.
const START = `
  window.events = [];
  window.start = (options) => {
    window.km = kmkit.createKissmetrics(Object.assign({
      apiKey: '${API_KEY}', mode: 'cloud', retry: { baseDelayMs: 100, maxDelayMs: 400 },
      // Kissmetrics' automatic events (Visited Site) are left out: each test counts its own.
      autoEvents: false,
    }, options));
    for (const name of ['delivered', 'retry', 'error', 'drop', 'warning']) {
      km.on(name, (e) => events.push([name, e.code || e.reason || '']));
    }
    return true;
  };
`;
const PAGES = { '/': START };

interface PageWindow {
  start(options?: object): boolean;
  km: {
    track(event: string, properties?: object): void;
    flush(): Promise<{ delivered: number; failed: number; dropped: number }>;
    identity(): Promise<string>;
    stats(): { delivered: number; retries: number; queued: number };
  };
  events: [string, string][];
}
declare const window: PageWindow;

const chromium = useChromium();
let bundle = '';
let kissmetrics: EmulatedEndpoint;
beforeAll(async () => {
  bundle = await bundleForBrowser(new URL('../../test/browser-entry.ts', import.meta.url), {
    globalName: 'kmkit',
  });
  kissmetrics = await startEmulatedEndpoint({ apiKeys: [API_KEY] });
}, 60_000);
afterAll(() => kissmetrics?.close());

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  kissmetrics.km.reset();
});

/** A context whose ad-blocker refuses every request to a Kissmetrics host, counting them. */
async function withAdBlocker(): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await chromium.newContext();
  const blocked: string[] = [];
  await context.route(/kissmetrics\.(io|com)/, (route) => {
    blocked.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}

async function inProcessRelay(
  allowedOrigins?: string[],
): Promise<{ relay: KissmetricsRelay; server: RelayServer }> {
  const relay = createKissmetricsRelay({
    apiKey: API_KEY,
    endpoint: kissmetrics.url,
    ...(allowedOrigins ? { allowedOrigins } : {}),
  });
  const server = await startRelayServer(relay.listener, { site: relaySite(bundle, PAGES) });
  cleanups.push(
    () => relay.close({ timeoutMs: 100 }),
    () => server.close(),
  );
  return { relay, server };
}

async function openPage(
  context: BrowserContext,
  url: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(url);
  return { page, errors };
}

/** The events Kissmetrics holds for an identity, and how it received their requests. */
function received(identity: string) {
  const statuses: Record<string, number> = {};
  const identities = new Set(kissmetrics.km.person(identity)?.identities ?? [identity]);
  for (const request of kissmetrics.km.requests()) {
    if (!identities.has(request.params._p!)) continue;
    statuses[request.status] = (statuses[request.status] ?? 0) + 1;
  }
  return {
    events: kissmetrics.km.person(identity)?.events.map((event) => event.name) ?? [],
    statuses,
  };
}

describe('the relay in front of cloud mode in Chromium', { timeout: 90_000 }, () => {
  it('with Kissmetrics blocked, the visitor reaches it through the relay, and not without it', async () => {
    const { relay, server } = await inProcessRelay();
    const { context, blocked } = await withAdBlocker();
    const { page, errors } = await openPage(context, `${server.origin}/`);

    // Without the relay: the client sends to trk.kissmetrics.io, which the ad-blocker refuses.
    await page.evaluate(() => {
      window.start();
      window.km.track('Without Relay');
    });
    const visitor = await page.evaluate(() => window.km.identity());
    await expect
      .poll(() => page.evaluate(() => window.km.stats().retries), poll)
      .toBeGreaterThan(1);
    expect(blocked.length).toBeGreaterThan(1);
    expect(blocked[0]).toMatch(/^https:\/\/trk\.kissmetrics\.io\/e\?/);
    expect(received(visitor).events).toEqual([]);

    // The same visitor on the next page load, with the relay as endpoint.
    await page.reload();
    const result = await page.evaluate(async (endpoint) => {
      window.start({ endpoint });
      window.km.track('With Relay', { plan: 'pro' });
      window.km.track('Still With Relay');
      return window.km.flush();
    }, server.endpoint);
    expect(await page.evaluate(() => window.km.identity())).toBe(visitor);
    expect(result).toEqual({ delivered: 3, failed: 0, dropped: 0 });
    // The page's 200s mean queued at the relay; the relay then delivers.
    await relay.flush();
    // The earlier page's request, saved for trk.kissmetrics.io, goes through the relay too.
    expect(received(visitor)).toEqual({
      events: ['Without Relay', 'With Relay', 'Still With Relay'],
      statuses: { accepted: 3 },
    });
    // Kissmetrics sees the visitor's address and browser, not the relay's.
    const sent = kissmetrics.km.requests().filter((request) => request.params._p === visitor);
    expect(sent.map((request) => request.params._ip)).toEqual([
      '127.0.0.1',
      '127.0.0.1',
      '127.0.0.1',
    ]);
    expect(sent[0]?.params._ua).toMatch(/Chrome\//);
    expect(await page.evaluate(() => window.events)).not.toContainEqual([
      'warning',
      'invalid_saved_request',
    ]);
    // Only the browser's reports of what the ad-blocker refused.
    for (const error of errors) expect(error).toMatch(/ERR_BLOCKED_BY_CLIENT/);
  });

  it('delivers every event exactly once across a page reload and a relay killed (kill -9) and restarted on its spool', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-relay-spool-'));
    const bundleFile = join(dir, '..', `${dir.split('/').pop()}-bundle.js`);
    writeFileSync(bundleFile, bundle);
    cleanups.push(() => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(bundleFile, { force: true });
    });
    let child: ChildProcess | undefined;
    const startChild = async (port = 0) => {
      child = spawnFixture('relay-server', [
        String(port),
        kissmetrics.url,
        dir,
        bundleFile,
        JSON.stringify(PAGES),
      ]);
      const output = outputOf(child);
      let stderr = '';
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      await expect
        .poll(() => output.text || (child?.exitCode !== null ? `exited: ${stderr}` : ''), poll)
        .toMatch(/^listening /);
      return output.text.split(' ')[1]!.trim();
    };
    cleanups.push(() => child?.kill('SIGKILL'));

    // Kissmetrics is down: what the relay accepts waits in its spool.
    kissmetrics.km.faults.set('*', { rate: 1, failWith: 'network-error' });
    const origin = await startChild();
    const { context, blocked } = await withAdBlocker();
    const { page } = await openPage(context, `${origin}/`);
    const track = (names: string[]) =>
      page.evaluate(
        async ([endpoint, list]) => {
          window.start({ endpoint });
          for (const name of list as string[]) window.km.track(name);
          return window.km.flush();
        },
        [`${origin}/km`, names] as const,
      );
    expect(await track(['Before Reload 1', 'Before Reload 2', 'Before Reload 3'])).toEqual({
      delivered: 3,
      failed: 0,
      dropped: 0,
    });
    const visitor = await page.evaluate(() => window.km.identity());
    await page.reload();
    expect(await track(['After Reload 1', 'After Reload 2'])).toMatchObject({ delivered: 2 });

    // The relay crashes with five requests in its spool; the page keeps sending meanwhile.
    child!.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    await page.evaluate(() => {
      window.km.track('While The Relay Is Down 1');
      window.km.track('While The Relay Is Down 2');
    });
    await expect
      .poll(() => page.evaluate(() => window.km.stats().retries), poll)
      .toBeGreaterThan(0);
    expect(received(visitor).events).toEqual([]);

    // Restarted on the same port and spool, with Kissmetrics back.
    kissmetrics.km.faults.clear();
    await startChild(Number(new URL(origin).port));
    expect(await page.evaluate(() => window.km.flush())).toMatchObject({ delivered: 2, failed: 0 });
    await expect.poll(() => received(visitor).events.length, poll).toBe(7);
    expect(received(visitor).events.sort()).toEqual([
      'After Reload 1',
      'After Reload 2',
      'Before Reload 1',
      'Before Reload 2',
      'Before Reload 3',
      'While The Relay Is Down 1',
      'While The Relay Is Down 2',
    ]);
    // Each counted once by Kissmetrics' duplicate key (a resend would be a `duplicate`).
    expect(received(visitor).statuses.accepted).toBe(7);
    expect(await page.evaluate(() => localStorage.length)).toBeGreaterThan(0);
    expect(
      await page.evaluate(() =>
        Object.keys(localStorage).filter((key) => key.startsWith('kmkit:q:')),
      ),
    ).toEqual([]);
    expect(blocked).toEqual([]);
  });

  it('answers pages of an allowed origin with CORS, and refuses another origin', async () => {
    const allowedSite = await startRelayServer(() => undefined, { site: relaySite(bundle, PAGES) });
    const otherSite = await startRelayServer(() => undefined, { site: relaySite(bundle, PAGES) });
    cleanups.push(
      () => allowedSite.close(),
      () => otherSite.close(),
    );
    const { relay, server } = await inProcessRelay([allowedSite.origin]);
    const { context } = await withAdBlocker();

    const allowed = await openPage(context, `${allowedSite.origin}/`);
    const result = await allowed.page.evaluate(async (endpoint) => {
      window.start({ endpoint, cors: true });
      window.km.track('From The Allowed Site');
      return window.km.flush();
    }, server.endpoint);
    expect(result).toEqual({ delivered: 1, failed: 0, dropped: 0 });
    await relay.flush();
    const allowedVisitor = await allowed.page.evaluate(() => window.km.identity());
    expect(received(allowedVisitor).events).toEqual(['From The Allowed Site']);
    expect(allowed.errors).toEqual([]);

    const other = await openPage(context, `${otherSite.origin}/`);
    await other.page.evaluate((endpoint) => {
      window.start({ endpoint, cors: true });
      window.km.track('From Another Site');
    }, server.endpoint);
    const otherVisitor = await other.page.evaluate(() => window.km.identity());
    // Refused on the server (403, no CORS headers): the page cannot read it and keeps retrying.
    await expect.poll(() => relay.stats().refused.origin_not_allowed ?? 0, poll).toBeGreaterThan(1);
    expect(await other.page.evaluate(() => window.km.stats().delivered)).toBe(0);
    expect(received(otherVisitor).events).toEqual([]);
    expect(other.errors.join('\n')).toMatch(/blocked by CORS policy/);
  });
});
