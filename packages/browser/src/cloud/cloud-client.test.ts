// @vitest-environment happy-dom
import { createManualScheduler } from '@kmkit/core/testing';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  beaconsToEmulator,
  installLocks,
  PROXY_ENDPOINT,
  pageStorageWith,
  removeLocks,
  resetPage,
  useEmulator,
} from '../../test/dom.js';
import type { KissmetricsEvents } from '../client/types.js';
import { type CloudOptions, createKissmetrics } from '../index.js';

const km = useEmulator();
let apiKey = '';
let tests = 0;
let beacons: ReturnType<typeof beaconsToEmulator>;

beforeEach(() => {
  resetPage();
  apiKey = `key-${++tests}`;
  beacons = beaconsToEmulator();
  setOnline(true);
});
// Every client of the test leaves, as at a page unload: their timers and leases end here.
afterEach(() => {
  window.dispatchEvent(new Event('pagehide'));
});

function setOnline(online: boolean) {
  Object.defineProperty(navigator, 'onLine', { value: online, configurable: true });
}

function cloud(options: Partial<CloudOptions> = {}) {
  const scheduler = createManualScheduler();
  // Automatic events have tests of their own: here a page load records none.
  const client = createKissmetrics({
    apiKey,
    mode: 'cloud',
    scheduler,
    autoEvents: false,
    ...options,
  });
  const seen: { [K in keyof KissmetricsEvents]: KissmetricsEvents[K][] } = {
    delivered: [],
    retry: [],
    error: [],
    drop: [],
    warning: [],
    invalid: [],
    consent: [],
  };
  for (const name of Object.keys(seen) as (keyof KissmetricsEvents)[]) {
    client.on(name, (event) => (seen[name] as unknown[]).push(event));
  }
  return { client, scheduler, seen };
}

/** What this test's API key sent, as Kissmetrics received it. */
const received = () => km.requests().filter((request) => request.params._k === apiKey);
/** The requests persisted for this test's API key. */
const persisted = () =>
  Object.keys(localStorage).filter((key) => key.startsWith(`kmkit:q:${apiKey}:`));

describe("Kissmetrics' automatic events (on by default, as in its JS library)", () => {
  const LANDING = '/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=';
  const MINUTE = 60_000;
  // What a new page load of the same site looks like to the client: same storage, new document.
  const newPageLoad = () => {
    window.dispatchEvent(new Event('pagehide'));
    delete (document as unknown as Record<symbol, unknown>)[Symbol.for('kmkit.pageLoadJudged')];
  };
  const setReferrer = (referrer: string) =>
    Object.defineProperty(document, 'referrer', { value: referrer, configurable: true });
  afterEach(() => {
    delete (document as { referrer?: string }).referrer;
    history.replaceState(null, '', '/');
  });

  const events = (person: string) =>
    km.person(person)?.events.map(({ name, properties }) => [name, properties]) ?? [];

  it('records Visited Site, Search Engine Hit and Ad Campaign Hit for the visitor, names untouched by a preset', async () => {
    history.replaceState(null, '', LANDING);
    setReferrer('https://www.google.com/search?q=kmkit');
    const { client } = cloud({ autoEvents: true, preset: 'segment' });
    const visitor = await client.identity();
    expect(await client.flush()).toEqual({ delivered: 3, failed: 0, dropped: 0 });
    const url = `https://site.test${LANDING}`;
    expect(events(visitor)).toEqual([
      ['Visited Site', { URL: url, Referrer: 'https://www.google.com/search?q=kmkit' }],
      ['Search Engine Hit', { 'Search Engine': 'Google', 'Search Terms': 'kmkit' }],
      [
        'Ad Campaign Hit',
        {
          'Campaign Source': 'newsletter',
          'Campaign Medium': 'email',
          'Campaign Name': 'spring',
          URL: url,
        },
      ],
    ]);
  });

  it('records Visited Site once a visit: a page load within 30 minutes of activity is the same visit', async () => {
    // Web Locks elect the sending tab without a lease to renew each second of these 71 minutes.
    installLocks();
    onTestFinished(removeLocks);
    const first = cloud({ autoEvents: true });
    const visitor = await first.client.identity();
    await first.client.flush();
    // 20 minutes later a call keeps the visit going; 20 more later, the next page.
    await first.scheduler.advance(20 * MINUTE);
    first.client.track('Read Docs');
    await first.client.flush();
    newPageLoad();
    const second = cloud({ autoEvents: true, scheduler: first.scheduler });
    await second.scheduler.advance(20 * MINUTE);
    await second.client.flush();
    // 31 minutes without activity: a new visit, by a returning visitor.
    newPageLoad();
    await second.scheduler.advance(31 * MINUTE);
    const third = cloud({ autoEvents: true, scheduler: second.scheduler });
    await third.client.flush();
    expect(events(visitor).map(([name, properties]) => [name, properties])).toEqual([
      ['Visited Site', { URL: 'https://site.test/', Referrer: 'Direct' }],
      ['Read Docs', {}],
      ['Visited Site', { URL: 'https://site.test/', Referrer: 'Direct', Returning: '1' }],
    ]);
  });

  it('records a page load once, whatever the number of clients in the page', async () => {
    history.replaceState(null, '', LANDING);
    const { client } = cloud({ autoEvents: true });
    cloud({ autoEvents: true });
    const visitor = await client.identity();
    await client.flush();
    expect(events(visitor).map(([name]) => name)).toEqual(['Visited Site', 'Ad Campaign Hit']);
  });

  it('records none with autoEvents: false, and leaves out one switched off as KM_SKIP_* does', async () => {
    history.replaceState(null, '', LANDING);
    const off = cloud({ autoEvents: false });
    await off.client.flush();
    expect(received()).toEqual([]);
    newPageLoad();
    localStorage.clear();
    const some = cloud({ autoEvents: { visitedSite: false } });
    const visitor = await some.client.identity();
    await some.client.flush();
    expect(events(visitor).map(([name]) => name)).toEqual(['Ad Campaign Hit']);
  });
});

describe('delivery', () => {
  it('sends identify, track and page with the anonymous id, aliased once to the user id', async () => {
    const { client, seen } = cloud();
    const anonymousId = await client.identity();
    client.track('Viewed Pricing', { plan: 'pro' });
    client.identify('bob@example.com', { name: 'Bob' });
    client.page('home', { path: '/' });
    expect(await client.flush()).toEqual({ delivered: 4, failed: 0, dropped: 0 });

    // The manual clock stands at 1,700,000,000,000 ms: every _t is 1700000000.
    expect(km.person('bob@example.com')).toEqual({
      identities: [anonymousId, 'bob@example.com'],
      events: [
        { name: 'Viewed Pricing', time: 1_700_000_000, properties: { plan: 'pro' } },
        // With the page context of the document: the caller's path wins.
        {
          name: 'Viewed home page',
          time: 1_700_000_000,
          properties: { url: 'https://site.test/', path: '/' },
        },
      ],
      properties: { plan: 'pro', name: 'Bob', path: '/', url: 'https://site.test/' },
    });
    expect(received().map((request) => request.path)).toEqual(['/e', '/s', '/a', '/e']);
    expect(km.rejected()).toEqual([]);
    expect(seen.delivered).toHaveLength(4);
    await expect(client.identity()).resolves.toBe('bob@example.com');
    expect(persisted()).toEqual([]);
  });

  it('aliases only an anonymous visitor: a second user id is another person, as in the Kissmetrics JS', async () => {
    const { client } = cloud();
    const anonymousId = await client.identity();
    client.identify('ann@example.com');
    client.identify('ann@example.com', { plan: 'pro' });
    client.identify('cy@example.com', { plan: 'free' });
    await client.flush();
    expect(received().filter((request) => request.path === '/a')).toHaveLength(1);
    expect(km.person('ann@example.com')?.identities).toEqual([anonymousId, 'ann@example.com']);
    expect(km.person('cy@example.com')).toMatchObject({
      identities: ['cy@example.com'],
      properties: { plan: 'free' },
    });
  });

  it('uses the user id, then alias(newId) joins the current identity to the new one', async () => {
    const { client } = cloud();
    client.identify('u-1');
    client.alias('u-1@example.com');
    client.group('acme', { plan: 'enterprise' });
    await client.flush();
    expect(km.person('u-1@example.com')).toMatchObject({
      properties: { 'Group - plan': 'enterprise', 'Group - id': 'acme' },
    });
    expect(km.person('u-1')).toEqual(km.person('u-1@example.com'));
  });

  it('sends spec messages as they are, filling in the identity only when they have none', async () => {
    const { client } = cloud();
    const anonymousId = await client.identity();
    client.send({ type: 'track', event: 'Imported', userId: 'someone-else' });
    client.send({ type: 'screen', name: 'Settings' });
    await client.flush();
    expect(km.person('someone-else')?.events.map((event) => event.name)).toEqual(['Imported']);
    expect(km.person(anonymousId)?.events.map((event) => event.name)).toEqual([
      'Viewed Settings screen',
    ]);
    // send() does not change the client's identity.
    await expect(client.identity()).resolves.toBe(anonymousId);
  });

  it('posts a request whose query would pass maxQueryBytes, form-encoded', async () => {
    const { client } = cloud({ maxQueryBytes: 100 });
    client.track('Long', { text: 'x'.repeat(200) });
    await client.flush();
    expect(received()).toEqual([
      expect.objectContaining({ method: 'POST', path: '/e', status: 'accepted' }),
    ]);
  });

  it('never throws on invalid input: it reports and counts it, and queues nothing of it', async () => {
    const { client, seen } = cloud();
    expect(() => client.track(undefined as unknown as string)).not.toThrow();
    expect(() => client.alias('')).not.toThrow();
    expect(seen.invalid.map(({ call, error }) => [call, error.code])).toEqual([
      ['track', 'missing_event_name'],
      ['alias', 'missing_user_id'],
    ]);
    expect(client.stats()).toMatchObject({ invalid: 2, queued: 0 });
    await client.flush();
    expect(received()).toEqual([]);
  });

  it('refuses a bad endpoint or a missing mode at creation', () => {
    expect(() => cloud({ endpoint: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'endpoint' }),
    );
    expect(() => createKissmetrics({ apiKey } as never)).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'mode' }),
    );
  });
});

describe('identity', () => {
  it('serves as the identity source of the Tapstream bridge: identity() resolves with the id Kissmetrics knows the visitor by', async () => {
    // The shape installTapstreamBridge({ identity }) reads from a cloud-mode client.
    const source: { identity(): PromiseLike<string> | string } = cloud().client;
    const anonymousId = await source.identity();
    expect(localStorage.getItem('kmkit_anonymous_id')).toBe(anonymousId);
    const { client } = cloud();
    client.identify('tess@example.com');
    await expect(source.identity()).resolves.toBe('tess@example.com');
    await client.flush();
    // The bridge's km_identity, from before or after identify, names one person in Kissmetrics.
    expect(km.person(anonymousId)).toEqual(km.person('tess@example.com'));
  });

  it('reuses the Kissmetrics JS library’s km_ai cookie, URL-decoded, so the visitor stays one person', async () => {
    const libraryId = 'Zm9v+YmFy/cXV4=';
    // biome-ignore lint/suspicious/noDocumentCookie: the Kissmetrics JS writes km_ai this way.
    document.cookie = `km_ai=${encodeURIComponent(libraryId)}; path=/`;
    const { client } = cloud();
    await expect(client.identity()).resolves.toBe(libraryId);
    client.track('Opened');
    await client.flush();
    expect(received()[0]?.params._p).toBe(libraryId);
    expect(km.person(libraryId)?.events).toHaveLength(1);
  });

  it('keeps its anonymous id in localStorage across page loads and tabs', async () => {
    const first = await cloud().client.identity();
    expect(first).toMatch(/^[a-z0-9]{4,28}$/);
    expect(localStorage.getItem('kmkit_anonymous_id')).toBe(first);
    await expect(cloud().client.identity()).resolves.toBe(first);
  });

  it('falls back to a first-party cookie when localStorage is unusable, with a warning', async () => {
    const broken = pageStorageWith({
      setItem() {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    });
    const { client, seen } = cloud({ storage: broken });
    const anonymousId = await client.identity();
    expect(document.cookie).toContain(`kmkit_anonymous_id=${encodeURIComponent(anonymousId)}`);
    await expect(cloud({ storage: broken }).client.identity()).resolves.toBe(anonymousId);
    client.track('Still Sent');
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    expect(seen.warning).toEqual([expect.objectContaining({ code: 'store_failed' })]);
  });

  it('reset() starts a new anonymous visitor and forgets the user id', async () => {
    const { client } = cloud();
    const before = await client.identity();
    client.identify('dee@example.com');
    client.reset();
    const after = await client.identity();
    expect(after).not.toBe(before);
    expect(after).not.toBe('dee@example.com');
    client.track('Logged Out');
    await client.flush();
    expect(km.person(after)?.events.map((event) => event.name)).toEqual(['Logged Out']);
    expect(km.person(after)?.identities).toEqual([after]);
  });
});

describe('the persisted queue', () => {
  it('keeps each request in localStorage from enqueue until acknowledged', async () => {
    km.faults.set('e', { answers: ['network-error'] });
    const { client, scheduler, seen } = cloud();
    client.track('Kept');
    await scheduler.settle();
    expect(seen.retry).toHaveLength(1);
    expect(persisted()).toHaveLength(1);
    await scheduler.advance(60_000);
    await client.flush();
    expect(persisted()).toEqual([]);
    expect(received()).toHaveLength(1);
  });

  it('delivers on the next page load what an earlier one could not', async () => {
    km.faults.set('*', { rate: 1, failWith: 'network-error' });
    const first = cloud();
    first.client.track('Queued A');
    first.client.track('Queued B');
    await first.scheduler.settle();
    expect(persisted()).toHaveLength(2);
    // The page goes away; the next load finds the queue.
    window.dispatchEvent(new Event('pagehide'));
    km.faults.clear();
    const second = cloud();
    expect(await second.client.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    const anonymousId = await second.client.identity();
    expect(km.person(anonymousId)?.events.map((event) => event.name)).toEqual([
      'Queued A',
      'Queued B',
    ]);
    expect(persisted()).toEqual([]);
  });

  it('loads the valid requests of a poisoned saved queue, removes the rest with one warning, and flush() settles', async () => {
    const now = 1_700_000_000_000;
    const url = (name: string, host = 'https://trk.kissmetrics.io') =>
      `${host}/e?_k=${apiKey}&_p=saved-visitor&_n=${name}&_t=1700000000&_d=1`;
    const save = (id: string, value: unknown) =>
      localStorage.setItem(`kmkit:q:${apiKey}:${id}`, JSON.stringify(value));
    save('earlier-1', { t: now - 1000, r: { method: 'GET', url: url('Kept') } });
    // The reproduction, then what else was replayed as stored.
    save('earlier-2', { t: now - 1000, r: { url: 12345 } });
    save('earlier-3', {
      t: now - 1000,
      r: { method: 'GET', url: url('Elsewhere', 'https://evil.example') },
    });
    save('earlier-4', { t: now - 1000, r: { method: 'DELETE', url: url('Deleted') } });
    save('earlier-5', { r: { method: 'GET', url: url('Timeless') } });
    save('earlier-6', { t: 'never', r: { method: 'GET', url: url('Text time') } });
    save('earlier-7', { t: now - 500, r: { method: 'GET', url: url('Also kept') } });
    const { client, seen } = cloud();
    expect(await client.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(km.person('saved-visitor')?.events.map((event) => event.name)).toEqual([
      'Kept',
      'Also kept',
    ]);
    // Nothing went anywhere else: MSW fails the test on any request it does not handle.
    expect(received()).toHaveLength(2);
    expect(seen.warning).toEqual([
      expect.objectContaining({ code: 'invalid_saved_request', count: 5 }),
    ]);
    expect(persisted()).toEqual([]);
  });

  it('gives up, reported, a persisted request older than retry.maxAgeMs, and removes it', async () => {
    const day = 24 * 60 * 60 * 1000;
    const old = {
      t: 1_700_000_000_000 - day - 1,
      r: { method: 'GET', url: `https://trk.kissmetrics.io/e?_k=${apiKey}&_p=p&_n=Stale` },
    };
    localStorage.setItem(`kmkit:q:${apiKey}:earlier-000000`, JSON.stringify(old));
    const { client, seen } = cloud();
    await client.flush();
    expect(seen.error).toEqual([
      expect.objectContaining({ reason: 'expired', id: 'earlier-000000' }),
    ]);
    expect(received()).toEqual([]);
    expect(persisted()).toEqual([]);
  });

  it('keeps a request that ran out of attempts in this page, for the next load', async () => {
    km.faults.set('e', { rate: 1, failWith: 'network-error' });
    const { client, scheduler, seen } = cloud({ retry: { maxAttempts: 2 } });
    client.track('Stubborn');
    await scheduler.advance(60_000);
    expect(seen.error).toEqual([expect.objectContaining({ reason: 'max_attempts', attempts: 2 })]);
    expect(persisted()).toHaveLength(1);
  });

  it('falls back to memory with one warning when the storage quota is full, and still delivers', async () => {
    const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const quota = pageStorageWith({
      setItem(key, value) {
        if (key.startsWith('kmkit:q:')) throw full;
        localStorage.setItem(key, value);
      },
    });
    const { client, seen } = cloud({ storage: quota });
    client.track('One');
    client.track('Two');
    expect(await client.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(seen.warning).toEqual([expect.objectContaining({ code: 'store_failed', error: full })]);
    expect(received()).toHaveLength(2);
  });

  it('reset({ clearQueue: true }) drops what is queued, each reported and counted', async () => {
    km.faults.set('*', { rate: 1, failWith: 'network-error' });
    const { client, scheduler, seen } = cloud();
    client.track('Before Reset');
    client.track('Also Before');
    await scheduler.settle();
    client.reset({ clearQueue: true });
    expect(seen.drop.map((drop) => drop.reason)).toEqual(['reset', 'reset']);
    expect(client.stats()).toMatchObject({ dropped: 2, queued: 0 });
    // Removed from storage before anything else runs (once the engine's events have run).
    await Promise.resolve();
    expect(persisted()).toEqual([]);
    expect(await client.flush()).toEqual({ delivered: 0, failed: 0, dropped: 2 });
    km.faults.clear();
    await scheduler.advance(60_000);
    await client.flush();
    expect(received()).toEqual([]);
    expect(seen.delivered).toEqual([]);
  });

  it('reset() alone keeps delivering what was queued: each request carries its own identity', async () => {
    km.faults.set('*', { answers: ['network-error'] });
    const { client, scheduler } = cloud();
    const before = await client.identity();
    client.track('Before Reset');
    await scheduler.settle();
    client.reset();
    await scheduler.advance(60_000);
    await client.flush();
    expect(km.person(before)?.events.map((event) => event.name)).toEqual(['Before Reset']);
  });
});

describe('two tabs', () => {
  afterEach(removeLocks);

  // A storage event as another tab sees this change of localStorage.
  function otherTabSees(key: string) {
    window.dispatchEvent(
      new StorageEvent('storage', {
        key,
        newValue: localStorage.getItem(key),
        storageArea: localStorage,
      }),
    );
  }

  it('a client that does not send hands its events to the shared queue, and the sending one delivers them once', async () => {
    // Two clients of one key in one document (a second bundle, a hot reload) share the queue
    // like two tabs; the Chromium suite runs the two-tab case.
    installLocks();
    const sending = cloud();
    const other = cloud();
    await Promise.all([sending.client.flush(), other.client.flush()]);
    expect([sending.client.stats().sender, other.client.stats().sender]).toEqual([true, false]);

    other.client.track('From The Other Client');
    expect(await other.client.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0 });
    expect(received().map((request) => request.params._n)).toEqual(['From The Other Client']);
    expect(persisted()).toEqual([]);
    expect(other.seen.delivered).toEqual([]);
    expect(sending.seen.delivered).toHaveLength(1);
  });

  it('a request another tab settles is not sent again from here', async () => {
    installLocks();
    km.faults.set('*', { rate: 1, failWith: 'network-error' });
    const sending = cloud();
    await sending.client.flush();
    sending.client.track('Settled Elsewhere');
    await sending.scheduler.settle();
    const [key] = persisted();
    // Another tab (which sent while this one was in the back/forward cache) removed it.
    localStorage.removeItem(key!);
    otherTabSees(key!);
    km.faults.clear();
    await sending.scheduler.advance(60_000);
    expect(await sending.client.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0 });
    expect(received()).toEqual([]);
    expect(sending.seen.delivered).toEqual([]);
    expect(sending.client.stats()).toMatchObject({ delivered: 0, queued: 0 });
  });

  it('refuses a hand-off past the shared queue’s bounds, reporting and counting the drop', async () => {
    installLocks();
    const sending = cloud();
    const other = cloud({ maxQueueLength: 1 });
    await Promise.all([sending.client.flush(), other.client.flush()]);
    other.client.track('Fits');
    other.client.track('Does Not Fit');
    expect(other.seen.drop).toEqual([
      expect.objectContaining({
        reason: 'queue_full',
        message: expect.stringContaining('maxQueueLength 1'),
      }),
    ]);
    expect(other.client.stats().dropped).toBe(1);
    expect(persisted()).toHaveLength(1);
  });
});

describe('the page lifecycle', () => {
  it('waits while offline and sends on the online event', async () => {
    setOnline(false);
    const { client, scheduler } = cloud();
    client.track('Offline Click');
    await scheduler.advance(60_000);
    expect(received()).toEqual([]);
    expect(client.stats()).toMatchObject({ queued: 1, paused: true });
    setOnline(true);
    window.dispatchEvent(new Event('online'));
    await client.flush();
    expect(received().map((request) => request.params._n)).toEqual(['Offline Click']);
  });

  it('pauses on the offline event', async () => {
    const { client, scheduler } = cloud();
    window.dispatchEvent(new Event('offline'));
    client.track('Queued Offline');
    await scheduler.advance(60_000);
    expect(received()).toEqual([]);
    window.dispatchEvent(new Event('online'));
    await client.flush();
    expect(received()).toHaveLength(1);
  });

  it('beacons what is waiting when the page is hidden (/e and /s as form posts, /a as a keepalive GET), and keeps it queued', async () => {
    km.faults.set('*', { answers: ['network-error', 'network-error', 'network-error'] });
    const { client, scheduler } = cloud();
    client.identify('eve@example.com', { plan: 'pro' });
    client.track('Checkout', { total: 5 });
    await scheduler.settle();
    expect(persisted()).toHaveLength(3);

    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    const beaconed = [
      ['https://trk.kissmetrics.io/s', 'application/x-www-form-urlencoded'],
      ['https://trk.kissmetrics.io/e', 'application/x-www-form-urlencoded'],
    ];
    expect(beacons.calls.map((call) => [call.url, call.type])).toEqual(beaconed);
    // Once per request: pagehide after visibilitychange sends nothing again.
    window.dispatchEvent(new Event('pagehide'));
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    expect(beacons.calls.map((call) => [call.url, call.type])).toEqual(beaconed);
    // Beacons and the keepalive GET travel on their own: their arrival order is the network's.
    await expect
      .poll(() =>
        received()
          .map((request) => `${request.method} ${request.path}`)
          .sort(),
      )
      .toEqual(['GET /a', 'POST /e', 'POST /s']);
    expect(km.person('eve@example.com')).toMatchObject({
      events: [{ name: 'Checkout', properties: { total: '5' } }],
      properties: { plan: 'pro', total: '5' },
    });
    // Beacons are not acknowledged: the requests stay for the next load, which Kissmetrics dedupes.
    expect(persisted()).toHaveLength(3);
  });

  it('stops beaconing when the browser refuses one, keeping the rest', async () => {
    km.faults.set('*', { rate: 1, failWith: 'network-error' });
    let accepted = 1;
    Object.defineProperty(navigator, 'sendBeacon', {
      value: () => accepted-- > 0,
      configurable: true,
    });
    const { client, scheduler } = cloud();
    client.track('First');
    client.track('Second');
    client.track('Third');
    await scheduler.settle();
    window.dispatchEvent(new Event('pagehide'));
    expect(accepted).toBe(-1);
    expect(persisted()).toHaveLength(3);
  });
});

describe('options', () => {
  it('sends no-cors to the Kissmetrics hosts and cors to any other endpoint, unless told otherwise', async () => {
    const modes: string[] = [];
    const recording: typeof fetch = (url, init) => {
      modes.push(
        `${String(url).split('/e?')[0]} ${init?.mode} keepalive=${init?.keepalive} ${init?.credentials} ${init?.cache}`,
      );
      return fetch(url, init);
    };
    const send = async (options: Partial<CloudOptions>) => {
      const { client } = cloud({ fetch: recording, storage: null, ...options });
      client.track('A');
      await client.flush();
      window.dispatchEvent(new Event('pagehide'));
    };
    await send({});
    await send({ endpoint: 'https://trk.kissmetrics.com' });
    await send({ endpoint: PROXY_ENDPOINT });
    await send({ endpoint: PROXY_ENDPOINT, cors: false });
    await send({ cors: true });
    expect(modes).toEqual([
      'https://trk.kissmetrics.io no-cors keepalive=true omit no-store',
      'https://trk.kissmetrics.com no-cors keepalive=true omit no-store',
      `${PROXY_ENDPOINT} cors keepalive=true omit no-store`,
      `${PROXY_ENDPOINT} no-cors keepalive=true omit no-store`,
      'https://trk.kissmetrics.io cors keepalive=true omit no-store',
    ]);
  });

  it('retries a 503 from a relay endpoint by default (its status is visible)', async () => {
    km.faults.set('e', { answers: [503] });
    const { client, scheduler, seen } = cloud({ endpoint: PROXY_ENDPOINT });
    client.track('Seen Status');
    await scheduler.settle();
    expect(seen.retry).toEqual([expect.objectContaining({ reason: 'status', status: 503 })]);
    await scheduler.advance(60_000);
    await client.flush();
    expect(seen.delivered).toEqual([expect.objectContaining({ status: 200, attempts: 2 })]);
    expect(received().map((request) => request.url.split('?')[0])).toEqual([`${PROXY_ENDPOINT}/e`]);
  });

  it('with cors, retries a 503 it can see', async () => {
    km.faults.set('e', { answers: [503] });
    const { client, scheduler, seen } = cloud({ cors: true });
    client.track('Seen Status');
    await scheduler.settle();
    expect(seen.retry).toEqual([expect.objectContaining({ reason: 'status', status: 503 })]);
    await scheduler.advance(60_000);
    await client.flush();
    expect(received()).toHaveLength(1);
  });

  it('keeps the saved queue when the endpoint moves from Kissmetrics to a relay: re-based, same path, query and _t', async () => {
    const save = (id: string, url: string, body?: string) =>
      localStorage.setItem(
        `kmkit:q:${apiKey}:${id}`,
        JSON.stringify({
          t: 1_700_000_000_000 - 1000,
          r: body === undefined ? { method: 'GET', url } : { method: 'POST', url, body },
        }),
      );
    const query = (name: string) => `_k=${apiKey}&_p=saved-visitor&_n=${name}&_t=1699999000&_d=1`;
    save('earlier-1', `https://trk.kissmetrics.io/e?${query('From The io Host')}`);
    save('earlier-2', `https://trk.kissmetrics.com/e?${query('From The com Host')}`);
    save('earlier-3', `https://trk.kissmetrics.io/e`, query('Posted'));
    save('earlier-4', `${PROXY_ENDPOINT}/e?${query('Already There')}`);
    save('earlier-5', `https://old-relay.example/km/e?${query('Elsewhere')}`);
    save('earlier-6', `https://trk.kissmetrics.io.evil.example/e?${query('Lookalike')}`);
    const { client, seen } = cloud({ endpoint: PROXY_ENDPOINT });
    expect(await client.flush()).toEqual({ delivered: 4, failed: 0, dropped: 0 });
    expect(received().map((request) => [request.url.split('?')[0], request.params._t])).toEqual([
      [`${PROXY_ENDPOINT}/e`, '1699999000'],
      [`${PROXY_ENDPOINT}/e`, '1699999000'],
      [`${PROXY_ENDPOINT}/e`, '1699999000'],
      [`${PROXY_ENDPOINT}/e`, '1699999000'],
    ]);
    // Sent side by side: in any order.
    expect(
      km
        .person('saved-visitor')
        ?.events.map((event) => event.name)
        .sort(),
    ).toEqual(['Already There', 'From The com Host', 'From The io Host', 'Posted']);
    // Only what targets neither is removed, reported once.
    expect(seen.warning).toEqual([
      expect.objectContaining({ code: 'invalid_saved_request', count: 2 }),
    ]);
    expect(persisted()).toEqual([]);
  });

  it('sends to a first-party proxy endpoint', async () => {
    const { client } = cloud({ endpoint: 'https://site.test/km/' });
    client.track('Proxied');
    await client.flush();
    expect(received().map((request) => request.url.split('?')[0])).toEqual([
      'https://site.test/km/e',
    ]);
  });
});
