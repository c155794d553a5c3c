import { KmValidationError } from '@kmkit/core';
import { createManualScheduler } from '@kmkit/core/testing';
import { Window as HappyWindow } from 'happy-dom';
import { afterEach, describe, expect, test } from 'vitest';
import {
  type ConsentState,
  type IdentityUnavailable,
  installTapstreamBridge,
  type TapstreamBridgeOptions,
} from './install-tapstream-bridge.js';

// A page per test: its own globals, so the one-bridge-per-page guard starts fresh.
type Page = Window & {
  _kmq?: unknown;
  _tsq?: unknown;
  KM?: { i(): unknown };
};

const pages: HappyWindow[] = [];
afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.happyDOM.close()));
});

function newPage(html = '<html><head></head><body></body></html>'): Page {
  const page = new HappyWindow({
    url: 'https://site.test/',
    settings: { disableJavaScriptFileLoading: true, handleDisabledFileLoadingAsSuccess: true },
  });
  page.document.write(html);
  pages.push(page);
  return page as unknown as Page;
}

/** What the Kissmetrics JS does on load: runs the queued functions, then runs pushes at once. */
function loadKissmetrics(page: Page, identity: () => unknown) {
  page.KM = { i: identity };
  const queued = page._kmq as unknown[];
  page._kmq = {
    push(...items: unknown[]) {
      for (const item of items) if (typeof item === 'function') item();
      return 0;
    },
  };
  for (const item of queued) if (typeof item === 'function') item();
}

function tsq(page: Page): unknown[] {
  return page._tsq as unknown[];
}

function install(page: Page, options: Partial<TapstreamBridgeOptions> = {}) {
  const unavailable: IdentityUnavailable[] = [];
  const scheduler = createManualScheduler();
  const bridge = installTapstreamBridge({
    accountName: 'acme',
    loadTapstream: false,
    window: page,
    scheduler,
    onIdentityUnavailable: (value) => unavailable.push(value),
    ...options,
  });
  return { bridge, unavailable, scheduler };
}

// Tapstream's documented snippet, once KM.i() is known.
const SEED_COMMANDS = (identity: string) => [
  ['setAccountName', 'acme'],
  ['addCustomParameter', 'km_identity', identity],
  ['fireHit', 'javascript_tracker', []],
];

describe('installTapstreamBridge with the Kissmetrics JS', () => {
  test('pushes a function on _kmq and nothing on _tsq until Kissmetrics runs it', () => {
    const page = newPage();
    install(page);
    expect(page._kmq).toEqual([expect.any(Function)]);
    expect(tsq(page)).toEqual([]);
  });

  test("once Kissmetrics loads, pushes the seed's three commands with KM.i()", async () => {
    const page = newPage();
    const { bridge, unavailable } = install(page);
    loadKissmetrics(page, () => 'Xk3+a/bQ9w==');
    expect(tsq(page)).toEqual(SEED_COMMANDS('Xk3+a/bQ9w=='));
    expect(await bridge.hit).toEqual({ identity: 'Xk3+a/bQ9w==' });
    expect(unavailable).toEqual([]);
  });

  test('fires at once when Kissmetrics has already loaded', async () => {
    const page = newPage();
    page._kmq = [];
    loadKissmetrics(page, () => 'bob@example.com');
    const { bridge } = install(page);
    expect(tsq(page)).toEqual(SEED_COMMANDS('bob@example.com'));
    expect(await bridge.hit).toEqual({ identity: 'bob@example.com' });
  });

  test('keeps commands queued earlier on _kmq and _tsq', () => {
    const page = newPage();
    page._kmq = [['record', 'Viewed Pricing']];
    page._tsq = [['trackPage']];
    install(page);
    expect(page._kmq).toEqual([['record', 'Viewed Pricing'], expect.any(Function)]);
    loadKissmetrics(page, () => 'v');
    expect(tsq(page)).toEqual([['trackPage'], ...SEED_COMMANDS('v')]);
  });

  test('uses the tracker, parameter and tags it is given', () => {
    const page = newPage();
    install(page, { trackerName: 'website', identityParameter: 'kmid', tags: ['web', 'home'] });
    loadKissmetrics(page, () => 'v');
    expect(tsq(page)).toEqual([
      ['setAccountName', 'acme'],
      ['addCustomParameter', 'kmid', 'v'],
      ['fireHit', 'website', ['web', 'home']],
    ]);
  });

  test('when Kissmetrics never loads, fires the hit without identity after the timeout and says why', async () => {
    const page = newPage();
    const { bridge, unavailable, scheduler } = install(page, { timeoutMs: 3000 });
    await scheduler.advance(2999);
    expect(tsq(page)).toEqual([]);
    await scheduler.advance(1);
    expect(tsq(page)).toEqual([
      ['setAccountName', 'acme'],
      ['fireHit', 'javascript_tracker', []],
    ]);
    const result = await bridge.hit;
    expect(result.unavailable?.reason).toBe('timeout');
    expect(unavailable).toEqual([result.unavailable]);
    expect(unavailable[0]!.message).toMatch(/3000 ms/);
  });

  test('a Kissmetrics JS that loads after the timeout does not fire a second hit', async () => {
    const page = newPage();
    const { scheduler } = install(page, { timeoutMs: 100 });
    await scheduler.advance(100);
    loadKissmetrics(page, () => 'late');
    expect(tsq(page).filter((command) => (command as unknown[])[0] === 'fireHit')).toHaveLength(1);
    expect(tsq(page)).not.toContainEqual(['addCustomParameter', 'km_identity', 'late']);
  });

  test('an identity in time cancels the timeout', async () => {
    const page = newPage();
    const { unavailable, scheduler } = install(page, { timeoutMs: 100 });
    loadKissmetrics(page, () => 'v');
    await scheduler.advance(1000);
    expect(tsq(page)).toEqual(SEED_COMMANDS('v'));
    expect(scheduler.timers()).toEqual([]);
    expect(unavailable).toEqual([]);
  });

  test.each([[''], ['undefined'], [null], [undefined]])(
    'KM.i() giving %j fires the hit without identity (empty_identity)',
    async (identity) => {
      const page = newPage();
      const { bridge, unavailable } = install(page);
      loadKissmetrics(page, () => identity);
      expect(tsq(page)).toEqual([
        ['setAccountName', 'acme'],
        ['fireHit', 'javascript_tracker', []],
      ]);
      expect((await bridge.hit).unavailable?.reason).toBe('empty_identity');
      expect(unavailable.map((value) => value.reason)).toEqual(['empty_identity']);
    },
  );

  test('KM.i() throwing fires the hit without identity (identity_failed) with the error', async () => {
    const page = newPage();
    const failure = new Error('cookies blocked');
    const { bridge } = install(page);
    loadKissmetrics(page, () => {
      throw failure;
    });
    expect((await bridge.hit).unavailable).toMatchObject({
      reason: 'identity_failed',
      error: failure,
    });
    expect(tsq(page)).toHaveLength(2);
  });
  test('a page whose _tsq throws still settles the hit, and the error reaches the page', async () => {
    const page = newPage();
    page._tsq = {
      push() {
        throw new Error('broken tracker');
      },
    };
    const { bridge } = install(page);
    expect(() => loadKissmetrics(page, () => 'v')).toThrow('broken tracker');
    expect(await bridge.hit).toEqual({ identity: 'v' });
  });
});

describe('installTapstreamBridge with a cloud-mode client', () => {
  test("fires with the client's identity once it resolves", async () => {
    const page = newPage();
    const client = { identity: () => Promise.resolve('cloud-anon+1=') };
    const { bridge } = install(page, { identity: client });
    expect(await bridge.hit).toEqual({ identity: 'cloud-anon+1=' });
    expect(tsq(page)).toEqual(SEED_COMMANDS('cloud-anon+1='));
    expect(page._kmq).toBeUndefined();
  });

  test('a rejected identity() fires without identity (identity_failed)', async () => {
    const page = newPage();
    const { bridge } = install(page, {
      identity: { identity: () => Promise.reject(new Error('no storage')) },
    });
    expect((await bridge.hit).unavailable?.reason).toBe('identity_failed');
    expect(tsq(page)).toHaveLength(2);
  });

  test('an identity() that never settles fires without identity at the timeout', async () => {
    const page = newPage();
    const { bridge, scheduler } = install(page, {
      identity: { identity: () => new Promise<string>(() => undefined) },
      timeoutMs: 50,
    });
    await scheduler.advance(50);
    expect((await bridge.hit).unavailable?.reason).toBe('timeout');
  });
});

describe('one hit per page', () => {
  test('a second install does nothing and shares the first one’s hit', async () => {
    const page = newPage();
    const first = install(page);
    const second = install(page, { accountName: 'other' });
    expect(first.bridge.installed).toBe(true);
    expect(second.bridge.installed).toBe(false);
    expect(second.bridge.hit).toBe(first.bridge.hit);
    expect(page._kmq).toHaveLength(1);
    loadKissmetrics(page, () => 'v');
    expect(tsq(page)).toEqual(SEED_COMMANDS('v'));
  });
});

describe('loading tapstream.js', () => {
  function scripts(page: Page): string[] {
    return Array.from(page.document.getElementsByTagName('script')).map(
      (script) => script.getAttribute('src') ?? '',
    );
  }

  test('adds the Tapstream script once, async, when asked to', () => {
    const page = newPage();
    install(page, { loadTapstream: true });
    const added = page.document.getElementsByTagName('script');
    expect(scripts(page)).toEqual(['https://cdn.tapstream.com/static/js/tapstream.js']);
    expect(added[0]!.async).toBe(true);
  });

  test('loads it by default, from the given URL', () => {
    const page = newPage();
    installTapstreamBridge({
      accountName: 'acme',
      window: page,
      tapstreamScriptUrl: 'https://example.com/ts.js',
    });
    expect(scripts(page)).toEqual(['https://example.com/ts.js']);
  });

  test('does not add it when the page already has it', () => {
    const page = newPage(
      '<html><head><script src="//cdn.tapstream.com/static/js/tapstream.js"></script></head><body></body></html>',
    );
    install(page, { loadTapstream: true });
    expect(scripts(page)).toEqual(['//cdn.tapstream.com/static/js/tapstream.js']);
  });

  test('does not add it when the tracker already runs _tsq', () => {
    const page = newPage();
    page._tsq = { push: () => 0 };
    install(page, { loadTapstream: true });
    expect(scripts(page)).toEqual([]);
  });
});

describe('consent', () => {
  // A @kmkit/browser client as the bridge sees it: its consent, and the event that tells a change.
  function consentClient(state: ConsentState) {
    const listeners: ((change: { state: ConsentState }) => void)[] = [];
    return {
      identity: () => Promise.resolve('cloud-anon+1='),
      stats: () => ({ consent: state }),
      on(_event: 'consent', listener: (change: { state: ConsentState }) => void) {
        listeners.push(listener);
        return () => undefined;
      },
      setConsent(next: ConsentState) {
        state = next;
        for (const listener of listeners) listener({ state });
      },
    };
  }
  const scripts = (page: Page) => page.document.getElementsByTagName('script').length;
  const settled = async (hit: Promise<unknown>) =>
    Promise.race([
      hit.then(() => 'settled'),
      new Promise((resolve) => setTimeout(resolve, 20, 'waiting')),
    ]);

  test('pending: loads no script, pushes nothing and starts no timeout, until granted', async () => {
    const page = newPage();
    const { bridge, scheduler } = install(page, { consent: 'pending', loadTapstream: true });
    await scheduler.advance(60_000);
    expect(scripts(page)).toBe(0);
    expect(page._kmq).toBeUndefined();
    expect(page._tsq).toBeUndefined();
    expect(await settled(bridge.hit)).toBe('waiting');
    bridge.setConsent('granted');
    expect(scripts(page)).toBe(1);
    loadKissmetrics(page, () => 'visitor+1=');
    expect(await bridge.hit).toEqual({ identity: 'visitor+1=' });
    expect(tsq(page)).toEqual(SEED_COMMANDS('visitor+1='));
  });

  test('denied: nothing at all, and the hit goes out if the visitor grants consent later', async () => {
    const page = newPage();
    const { bridge, scheduler } = install(page, { consent: 'denied' });
    // The site's own Kissmetrics snippet runs meanwhile.
    page._kmq = [];
    loadKissmetrics(page, () => 'visitor+1=');
    await scheduler.advance(60_000);
    expect(page._tsq).toBeUndefined();
    expect(await settled(bridge.hit)).toBe('waiting');
    bridge.setConsent('granted');
    expect(await bridge.hit).toEqual({ identity: 'visitor+1=' });
  });

  test('consent withdrawn while the identity is awaited: the hit waits for it to come back', async () => {
    const page = newPage();
    const { bridge } = install(page);
    bridge.setConsent('denied');
    loadKissmetrics(page, () => 'visitor+1=');
    expect(tsq(page)).toEqual([]);
    expect(await settled(bridge.hit)).toBe('waiting');
    bridge.setConsent('granted');
    expect(await bridge.hit).toEqual({ identity: 'visitor+1=' });
    expect(tsq(page)).toEqual(SEED_COMMANDS('visitor+1='));
  });

  test('starts denied when the browser sends Global Privacy Control, unless told not to', async () => {
    const page = newPage();
    Object.defineProperty(page.navigator, 'globalPrivacyControl', { value: true });
    const { bridge } = install(page);
    page._kmq = [];
    loadKissmetrics(page, () => 'visitor+1=');
    expect(page._tsq).toBeUndefined();
    expect(await settled(bridge.hit)).toBe('waiting');
    const other = newPage();
    Object.defineProperty(other.navigator, 'globalPrivacyControl', { value: true });
    install(other, { respectGlobalPrivacyControl: false });
    loadKissmetrics(other, () => 'visitor+2=');
    expect(tsq(other)).toEqual(SEED_COMMANDS('visitor+2='));
  });

  test('follows the consent of the @kmkit/browser client it is given as identity', async () => {
    const page = newPage();
    const client = consentClient('pending');
    const { bridge } = install(page, { identity: client });
    expect(await settled(bridge.hit)).toBe('waiting');
    expect(page._tsq).toBeUndefined();
    client.setConsent('granted');
    expect(await bridge.hit).toEqual({ identity: 'cloud-anon+1=' });
  });

  test('follows the consent of a device-mode client given as consent, with the Kissmetrics JS identity', async () => {
    const page = newPage();
    const client = consentClient('denied');
    const { bridge } = install(page, { consent: client });
    expect(page._kmq).toBeUndefined();
    client.setConsent('granted');
    loadKissmetrics(page, () => 'visitor+1=');
    expect(await bridge.hit).toEqual({ identity: 'visitor+1=' });
  });

  test('setConsent refuses a state it does not know', () => {
    const { bridge } = install(newPage(), { consent: 'pending' });
    expect(() => bridge.setConsent('yes' as ConsentState)).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'state' }),
    );
  });
});

describe('options', () => {
  test.each([
    [{ accountName: '' }, 'accountName'],
    [{ accountName: undefined }, 'accountName'],
    [{ trackerName: ' ' }, 'trackerName'],
    [{ identityParameter: '' }, 'identityParameter'],
    [{ identity: 'segment' }, 'identity'],
    [{ identity: {} }, 'identity'],
    [{ timeoutMs: -1 }, 'timeoutMs'],
    [{ tags: 'web' }, 'tags'],
    [{ onIdentityUnavailable: 'log' }, 'onIdentityUnavailable'],
    [{ consent: 'yes' }, 'consent'],
    [{ consent: {} }, 'consent'],
  ])('refuses %j naming %s', (override, path) => {
    const page = newPage();
    expect(() => install(page, override as never)).toThrow(
      expect.objectContaining({ code: 'invalid_option', path }),
    );
    expect(page._kmq).toBeUndefined();
  });

  test('outside a web page it says where to call it', () => {
    expect(() => installTapstreamBridge({ accountName: 'acme', window: {} as Window })).toThrow(
      KmValidationError,
    );
    expect(() => installTapstreamBridge({ accountName: 'acme' })).toThrow(/runs in a web page/);
  });
});
