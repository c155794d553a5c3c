// @vitest-environment happy-dom
import { createManualScheduler, type ManualScheduler } from '@kmkit/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  API_KEY,
  beaconsToEmulator,
  loadLibrary,
  queued,
  resetPage,
  useEmulator,
} from '../../test/dom.js';
import type { ClientDrop, KissmetricsClient, KissmetricsEvents } from '../client/types.js';
import { type CloudOptions, createKissmetrics, type DeviceOptions } from '../index.js';

const km = useEmulator();
const T0 = 1_700_000_000_000;

beforeEach(() => {
  resetPage();
  beaconsToEmulator();
});
afterEach(() => {
  // Every client of the test leaves, as at a page unload: its timers and leases end here.
  window.dispatchEvent(new Event('pagehide'));
  delete (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl;
  Object.defineProperty(navigator, 'onLine', { value: true, configurable: true });
});

interface Watched {
  readonly client: KissmetricsClient;
  readonly scheduler: ManualScheduler;
  readonly drops: ClientDrop[];
  readonly seen: { [K in keyof KissmetricsEvents]?: KissmetricsEvents[K][] };
}

function watch(client: KissmetricsClient, scheduler: ManualScheduler): Watched {
  const seen: Watched['seen'] = {};
  for (const name of ['drop', 'invalid', 'consent', 'warning', 'delivered'] as const) {
    seen[name] = [];
    client.on(name, (event) => (seen[name] as unknown[]).push(event));
  }
  return { client, scheduler, drops: seen.drop as ClientDrop[], seen };
}

function cloud(options: Partial<CloudOptions> = {}): Watched {
  const scheduler = createManualScheduler({ now: T0 });
  const client = createKissmetrics({ apiKey: API_KEY, mode: 'cloud', scheduler, ...options });
  return watch(client, scheduler);
}

function device(options: Partial<DeviceOptions> = {}): Watched {
  const scheduler = createManualScheduler({ now: T0 });
  const client = createKissmetrics({ apiKey: API_KEY, mode: 'device', scheduler, ...options });
  return watch(client, scheduler);
}

/** Every localStorage key and cookie of kmkit or the Kissmetrics JS. */
const stored = () => [
  ...Object.keys(localStorage).filter((key) => /^(kmkit|km_)/.test(key)),
  ...document.cookie
    .split('; ')
    // happy-dom lists an expired cookie as `name=`; a browser forgets it (the Chromium suite checks).
    .filter((cookie) => /^(kmkit|km_)[^=]*=./.test(cookie))
    .map((cookie) => cookie.split('=')[0]!),
];

const scripts = () => Array.from(document.scripts, (script) => script.getAttribute('src'));

/** The events Kissmetrics recorded, with their `_t`, in the order they arrived. */
const recorded = () =>
  km
    .requests()
    .filter((request) => request.path === '/e')
    .map((request) => [request.params._n, Number(request.params._t)]);

describe('consent in cloud mode', () => {
  it('holds calls while pending: nothing is stored, read into storage or sent, and flush() resolves at once', async () => {
    const { client, scheduler } = cloud({ consent: 'pending' });
    client.identify('ada', { plan: 'pro' });
    client.track('Signed Up');
    client.page('home');
    client.reset();
    expect(await client.identity()).toBe('');
    expect(await client.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    await scheduler.advance(60_000);
    expect(stored()).toEqual([]);
    expect(km.requests()).toEqual([]);
    expect(client.stats()).toMatchObject({ consent: 'pending', held: 4, queued: 0, dropped: 0 });
  });

  it('sends what was held once granted, in order, each with the time it was made at, and stores from then on', async () => {
    const { client, scheduler, seen } = cloud({ consent: 'pending' });
    client.track('First');
    await scheduler.advance(5_000);
    client.identify('ada');
    await scheduler.advance(5_000);
    client.track('Second', { step: 2 });
    await scheduler.advance(60_000);
    client.setConsent('granted');
    expect(await client.flush()).toEqual({ delivered: 4, failed: 0, dropped: 0 });
    const t0 = T0 / 1000;
    // Visited Site is the page load's, dated when the client was made.
    expect(recorded()).toEqual([
      ['Visited Site', t0],
      ['First', t0],
      ['Second', t0 + 10],
    ]);
    expect(km.person('ada')?.events.map((event) => event.name)).toEqual([
      'Visited Site',
      'First',
      'Second',
    ]);
    expect(stored()).toEqual(expect.arrayContaining(['kmkit_anonymous_id', 'kmkit_user_id']));
    expect(seen.consent).toEqual([{ state: 'granted' }]);
    expect(client.stats().consent).toBe('granted');
  });

  it('drops calls past maxQueueLength while pending, each a consent_pending drop, counted', async () => {
    const { client, drops } = cloud({ consent: 'pending', maxQueueLength: 2, autoEvents: false });
    for (const name of ['A', 'B', 'C', 'D']) client.track(name);
    expect(drops).toEqual([
      { reason: 'consent_pending', call: 'track', message: expect.any(String) },
      { reason: 'consent_pending', call: 'track', message: expect.any(String) },
    ]);
    expect(client.stats().dropped).toBe(2);
    // flush() waits for nothing before consent (held calls are not requests yet).
    expect(await client.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    client.setConsent('granted');
    expect(await client.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(recorded().map(([name]) => name)).toEqual(['A', 'B']);
  });

  it('keeps a held call as it was made, even when the caller changes its objects afterwards', async () => {
    const { client } = cloud({ consent: 'pending', autoEvents: false });
    const properties = { plan: 'free' };
    client.track('Chose Plan', properties);
    properties.plan = 'pro';
    client.setConsent('granted');
    await client.flush();
    expect(km.requests()[0]?.params.plan).toBe('free');
  });

  it('on denial drops what is held and queued (consent_denied, counted), removes what it stored, and sends nothing more', async () => {
    Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
    const { client, scheduler, drops } = cloud({ autoEvents: false });
    client.identify('ada', { plan: 'pro' });
    client.track('Queued');
    expect(stored()).toEqual(
      expect.arrayContaining(['kmkit_anonymous_id', 'kmkit_user_id', 'kmkit_last_active']),
    );
    expect(client.stats().queued).toBe(3);
    client.setConsent('denied');
    expect(drops.map((drop) => [drop.reason, drop.request?.url.split('?')[0]])).toEqual([
      ['consent_denied', 'https://trk.kissmetrics.io/s'],
      ['consent_denied', 'https://trk.kissmetrics.io/a'],
      ['consent_denied', 'https://trk.kissmetrics.io/e'],
    ]);
    client.track('After Denial');
    expect(drops[3]).toMatchObject({ reason: 'consent_denied', call: 'track' });
    await scheduler.settle();
    expect(stored()).toEqual([]);
    expect(client.stats()).toMatchObject({ consent: 'denied', dropped: 4, queued: 0 });
    expect(await client.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    Object.defineProperty(navigator, 'onLine', { value: true, configurable: true });
    window.dispatchEvent(new Event('online'));
    await scheduler.advance(60_000);
    expect(km.requests()).toEqual([]);
    expect(stored()).toEqual([]);
  });

  it('starts over as a new visitor when consent comes back after a denial', async () => {
    const { client } = cloud({ autoEvents: false });
    client.track('Before');
    await client.flush();
    const before = await client.identity();
    client.setConsent('denied');
    client.setConsent('granted');
    client.track('After');
    await client.flush();
    const after = await client.identity();
    expect(after).not.toBe(before);
    expect(km.person(after)?.events.map((event) => event.name)).toEqual(['After']);
  });

  it('holds a granted client that goes back to pending, and sends again once granted', async () => {
    const { client, scheduler } = cloud({ autoEvents: false });
    client.setConsent('pending');
    client.track('While Pending');
    await scheduler.advance(60_000);
    expect(km.requests()).toEqual([]);
    client.setConsent('granted');
    await client.flush();
    expect(recorded().map(([name]) => name)).toEqual(['While Pending']);
  });

  it('removes what an earlier page load stored when it starts denied', () => {
    localStorage.setItem('kmkit_anonymous_id', 'earlier');
    localStorage.setItem(`kmkit:q:${API_KEY}:x`, '{}');
    // biome-ignore lint/suspicious/noDocumentCookie: what the Kissmetrics JS left, written as it does.
    document.cookie = 'km_ai=earlier; path=/';
    localStorage.setItem('unrelated', 'kept');
    const { client } = cloud({ consent: 'denied' });
    expect(stored()).toEqual([]);
    expect(localStorage.getItem('unrelated')).toBe('kept');
    expect(client.stats().consent).toBe('denied');
  });

  it('starts denied when the browser sends Global Privacy Control, unless the site opts out of it', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    const gpc = cloud({ autoEvents: false });
    gpc.client.track('Refused');
    expect(gpc.client.stats().consent).toBe('denied');
    expect(gpc.drops).toMatchObject([{ reason: 'consent_denied', call: 'track' }]);
    expect(stored()).toEqual([]);
    // Even over an explicit starting state: the signal is the visitor's.
    expect(cloud({ consent: 'granted' }).client.stats().consent).toBe('denied');
    // The visitor's own later choice on the site wins.
    gpc.client.setConsent('granted');
    gpc.client.track('Accepted Later');
    await gpc.client.flush();
    expect(recorded().map(([name]) => name)).toEqual(['Accepted Later']);
    window.dispatchEvent(new Event('pagehide'));
    const ignoring = cloud({ respectGlobalPrivacyControl: false, autoEvents: false });
    expect(ignoring.client.stats().consent).toBe('granted');
  });

  it('forget() removes every key and cookie, drops what waits, and the next call is a new visitor', async () => {
    Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
    // What the Kissmetrics JS left from before the site moved to cloud mode: reused, then forgotten.
    // biome-ignore lint/suspicious/noDocumentCookie: written as the Kissmetrics JS does.
    document.cookie = 'km_ai=from-the-library; path=/';
    const { client, scheduler, drops } = cloud();
    client.identify('ada', { plan: 'pro' });
    client.track('Waiting');
    await scheduler.settle();
    expect(stored().length).toBeGreaterThan(2);
    client.forget();
    await scheduler.settle();
    expect(stored()).toEqual([]);
    expect(drops.map((drop) => drop.reason)).toEqual(['forget', 'forget', 'forget', 'forget']);
    Object.defineProperty(navigator, 'onLine', { value: true, configurable: true });
    window.dispatchEvent(new Event('online'));
    client.track('Fresh Start');
    expect(await client.flush()).toMatchObject({ delivered: 1, dropped: 4 });
    const fresh = await client.identity();
    expect(fresh).not.toMatch(/ada|from-the-library/);
    expect(km.requests().map((request) => [request.params._p, request.params._n])).toEqual([
      [fresh, 'Fresh Start'],
    ]);
    expect(localStorage.getItem('kmkit_anonymous_id')).toBe(fresh);
  });

  it('forget() while pending drops the held calls and leaves nothing behind', async () => {
    localStorage.setItem('kmkit_user_id', 'from-an-earlier-visit');
    const { client, drops } = cloud({ consent: 'pending' });
    client.track('Held');
    client.forget();
    expect(drops).toMatchObject([{ reason: 'forget', call: 'track' }]);
    expect(stored()).toEqual([]);
    client.setConsent('granted');
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    expect(recorded().map(([name]) => name)).toEqual(['Visited Site']);
  });

  it('refuses a consent state it does not know: an invalid option at creation, an invalid call later', () => {
    expect(() =>
      createKissmetrics({ apiKey: API_KEY, mode: 'cloud', consent: 'yes' as 'granted' }),
    ).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'consent' }));
    const { client, seen } = cloud({ consent: 'pending' });
    client.setConsent(true as unknown as 'granted');
    expect(seen.invalid).toEqual([
      expect.objectContaining({
        call: 'setConsent',
        error: expect.objectContaining({ code: 'invalid_option', path: 'state' }),
      }),
    ]);
    expect(client.stats()).toMatchObject({ consent: 'pending', invalid: 1 });
  });
});

describe('consent in device mode', () => {
  it('loads no script and pushes nothing while pending, then loads the library and pushes what was held with its time', async () => {
    const { client, scheduler } = device({ consent: 'pending' });
    client.track('First', { plan: 'pro' });
    await scheduler.advance(7_000);
    client.identify('ada');
    expect(scripts()).toEqual([]);
    expect((window as { _kmq?: unknown })._kmq).toBeUndefined();
    expect(stored()).toEqual([]);
    await scheduler.advance(60_000);
    client.setConsent('granted');
    client.track('Live');
    expect(scripts()).toEqual([
      '//i.kissmetrics.io/i.js',
      `//scripts.kissmetrics.io/${API_KEY}.2.js`,
    ]);
    const t0 = T0 / 1000;
    expect(queued()).toEqual([
      ['record', 'First', { plan: 'pro', _t: t0, _d: 1 }],
      ['identify', 'ada'],
      // A call made once consent is granted is timed by the library, as always.
      ['record', 'Live'],
    ]);
  });

  it('drops what is held on denial, counted, and removes the Kissmetrics JS cookies', () => {
    // biome-ignore lint/suspicious/noDocumentCookie: written as the Kissmetrics JS does.
    document.cookie = 'km_ai=earlier; path=/';
    const { client, drops } = device({ consent: 'pending' });
    client.track('Held');
    client.page('home');
    client.setConsent('denied');
    client.track('Refused');
    expect(drops.map((drop) => [drop.reason, drop.call])).toEqual([
      ['consent_denied', 'track'],
      ['consent_denied', 'page'],
      ['consent_denied', 'track'],
    ]);
    expect(client.stats()).toMatchObject({ consent: 'denied', dropped: 3 });
    expect(scripts()).toEqual([]);
    expect(stored()).toEqual([]);
  });

  it('forget() removes the library cookies and clears its identity before the next call', async () => {
    const { client } = device();
    const ran = loadLibrary('old-visitor');
    // biome-ignore lint/suspicious/noDocumentCookie: written as the Kissmetrics JS does.
    document.cookie = 'km_ai=old-visitor; path=/';
    client.track('Before');
    client.forget();
    expect(stored()).toEqual([]);
    expect(ran).toEqual([['record', 'Before']]);
    client.track('After');
    expect(ran).toEqual([['record', 'Before'], ['clearIdentity'], ['record', 'After']]);
  });

  it('starts denied with Global Privacy Control: no script is ever added', () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { value: true, configurable: true });
    const { client, drops } = device();
    client.track('Refused');
    expect(client.stats().consent).toBe('denied');
    expect(drops).toMatchObject([{ reason: 'consent_denied', call: 'track' }]);
    expect(scripts()).toEqual([]);
  });
});
