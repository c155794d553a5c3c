// @vitest-environment happy-dom
import { createManualScheduler } from '@kmkit/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, loadLibrary, queued, resetPage } from '../../test/dom.js';
import type { InvalidCall, KissmetricsEvents } from '../client/types.js';
import { createKissmetrics, KmLibraryError } from './index.js';

beforeEach(resetPage);

const scripts = () =>
  Array.from(document.getElementsByTagName('script'), (script) => ({
    src: script.getAttribute('src'),
    async: script.async,
    nonce: script.getAttribute('nonce'),
  }));

describe('the snippet', () => {
  it('defines _kmq and _kmk and loads i.js and <key>.2.js asynchronously from the .io hosts', () => {
    createKissmetrics({ apiKey: API_KEY });
    expect(queued()).toEqual([]);
    expect((window as unknown as { _kmk: string })._kmk).toBe(API_KEY);
    expect(scripts()).toEqual([
      { src: '//i.kissmetrics.io/i.js', async: true, nonce: null },
      { src: `//scripts.kissmetrics.io/${API_KEY}.2.js`, async: true, nonce: null },
    ]);
  });

  it('takes other hosts (the legacy .com, or self-hosted base URLs) and a CSP nonce', () => {
    createKissmetrics({
      apiKey: API_KEY,
      hosts: { library: 'i.kissmetrics.com', scripts: 'https://cdn.example.com/km/' },
      nonce: 'r4nd0m',
    });
    expect(scripts()).toEqual([
      { src: '//i.kissmetrics.com/i.js', async: true, nonce: 'r4nd0m' },
      { src: `https://cdn.example.com/km/${API_KEY}.2.js`, async: true, nonce: 'r4nd0m' },
    ]);
  });

  it('is installed once, also next to the site’s own Kissmetrics snippet, and keeps its queue', () => {
    // The official snippet ran first: its queue and its i.js script are on the page.
    const own = document.createElement('script');
    own.src = '//i.kissmetrics.io/i.js';
    document.head.appendChild(own);
    (window as unknown as { _kmq: unknown[] })._kmq = [['record', 'Earlier']];
    const first = createKissmetrics({ apiKey: API_KEY });
    createKissmetrics({ apiKey: API_KEY });
    first.track('Later');
    expect(scripts().map((script) => script.src)).toEqual([
      '//i.kissmetrics.io/i.js',
      `//scripts.kissmetrics.io/${API_KEY}.2.js`,
    ]);
    expect(queued()).toEqual([
      ['record', 'Earlier'],
      ['record', 'Later'],
    ]);
  });

  it('reports a script that fails to load (an ad-blocker) as a library_blocked warning', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    const warnings: KissmetricsEvents['warning'][] = [];
    km.on('warning', (warning) => warnings.push(warning));
    document.getElementsByTagName('script')[0]!.dispatchEvent(new Event('error'));
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'library_blocked',
        message: expect.stringContaining('i.js'),
      }),
    ]);
  });
});

describe('calls push the _kmq commands of @kmkit/core', () => {
  it('gives the RudderStack guide’s examples, before the library loads', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    const traits = {
      name: 'Tintin',
      city: 'Brussels',
      country: 'Belgium',
      email: 'tintin@herge.com',
    };
    km.identify('my-userID', traits);
    const page = {
      path: 'path',
      url: 'url',
      title: 'title',
      search: 'search',
      referrer: 'referrer',
    };
    km.page('home', page);
    km.track('Track me', { category: 'category', label: 'label', value: 'value' });
    km.alias('my-new-userID', 'my-userID');
    expect(queued()).toEqual([
      ['identify', 'my-userID'],
      ['set', traits],
      ['record', 'Viewed home page', page],
      ['record', 'Track me', { category: 'category', label: 'label', value: 'value' }],
      ['alias', 'my-new-userID', 'my-userID'],
    ]);
  });

  it('shifts page and screen arguments as RudderStack does', () => {
    const km = createKissmetrics({ apiKey: API_KEY, pageContext: false });
    km.page();
    km.page({ path: '/a' });
    km.page('home');
    km.page('Docs', 'Install');
    km.page('Docs', 'Install', { path: '/b' });
    km.page(null, 'Pricing', { path: '/c' });
    km.screen('Settings', { theme: 'dark' });
    expect(queued()).toEqual([
      ['record', 'Loaded a Page'],
      ['record', 'Loaded a Page', { path: '/a' }],
      ['record', 'Viewed home page'],
      ['record', 'Viewed Docs Install page'],
      ['record', 'Viewed Docs Install page', { path: '/b' }],
      ['record', 'Viewed Pricing page', { path: '/c' }],
      ['record', 'Viewed Settings screen', { theme: 'dark' }],
    ]);
  });

  it('sets traits on the current visitor for identify(traits), and groups as Group - <trait>', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    km.identify({ plan: 'pro', address: { city: 'Oslo' } });
    km.group('acme', { name: 'Acme' });
    expect(queued()).toEqual([
      ['set', { plan: 'pro', 'address.city': 'Oslo' }],
      ['set', { 'Group - name': 'Acme', 'Group - id': 'acme' }],
    ]);
  });

  it('applies the mapping options (here the segment preset)', () => {
    const km = createKissmetrics({ apiKey: API_KEY, preset: 'segment' });
    km.track('Signed Up', { plan: 'pro' });
    expect(queued()).toEqual([['record', 'Signed Up', { 'Signed Up - plan': 'pro' }]]);
  });

  it('accepts spec messages through send()', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    km.send({ type: 'track', event: 'Ordered', properties: { revenue: 12.5 } });
    expect(queued()).toEqual([['record', 'Ordered', { revenue: 12.5, 'Billing Amount': 12.5 }]]);
  });

  it('aliases the current identity, read with KM.i() once the library runs, when previousId is left out', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    km.alias('bob@example.com');
    expect(queued()).toEqual([expect.any(Function)]);
    expect(loadLibrary('anon+id/1=')).toEqual([['alias', 'bob@example.com', 'anon+id/1=']]);
  });

  it('pushes clearIdentity on reset()', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    km.reset();
    expect(queued()).toEqual([['clearIdentity']]);
  });

  it('goes on pushing into the library’s own queue once it has loaded', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    km.track('Before');
    const ran = loadLibrary('anon');
    km.track('After');
    expect(ran).toEqual([
      ['record', 'Before'],
      ['record', 'After'],
    ]);
  });
});

describe('invalid input', () => {
  it('never throws: the call is refused, reported with the error and counted, and nothing is pushed', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    const invalid: InvalidCall[] = [];
    km.on('invalid', (call) => invalid.push(call));
    expect(() => {
      km.track('');
      km.group(undefined as unknown as string);
      km.send('not a message' as never);
    }).not.toThrow();
    expect(invalid.map(({ call, error }) => [call, error.code, error.path])).toEqual([
      ['track', 'missing_event_name', 'event'],
      ['group', 'missing_group_id', 'groupId'],
      // send() takes message objects, not JSON text.
      ['send', 'invalid_message', ''],
    ]);
    expect(km.stats().invalid).toBe(3);
    expect(queued()).toEqual([]);
  });

  it('reports what the mapping left out as warnings naming the event and the path', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    const warnings: KissmetricsEvents['warning'][] = [];
    km.on('warning', (warning) => warnings.push(warning));
    km.send({ type: 'track', event: 'Clicked', messageId: 'm-1', properties: { _p: 'x', ok: 1 } });
    expect(queued()).toEqual([['record', 'Clicked', { ok: 1 }]]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'reserved_key', path: 'properties._p', messageId: 'm-1' }),
    ]);
  });

  it('refuses bad options at creation, naming the option', () => {
    expect(() => createKissmetrics({ apiKey: '' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'apiKey' }),
    );
    expect(() => createKissmetrics({ apiKey: API_KEY, preset: 'amplitude' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'preset' }),
    );
    expect(() => createKissmetrics({ apiKey: API_KEY, mode: 'cloud' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'mode' }),
    );
    expect(() => createKissmetrics({ apiKey: API_KEY, identityTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'identityTimeoutMs' }),
    );
  });
});

describe('identity()', () => {
  it('resolves with KM.i() once the library has loaded', async () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    const identity = km.identity();
    loadLibrary('Zm9v+YmFy/cXV4=');
    await expect(identity).resolves.toBe('Zm9v+YmFy/cXV4=');
    await expect(km.identity()).resolves.toBe('Zm9v+YmFy/cXV4=');
  });

  it('rejects with a KmLibraryError after identityTimeoutMs when the library is blocked', async () => {
    const scheduler = createManualScheduler();
    const km = createKissmetrics({ apiKey: API_KEY, scheduler, identityTimeoutMs: 2000 });
    let outcome: unknown;
    km.identity().then(
      (identity) => {
        outcome = identity;
      },
      (error) => {
        outcome = error;
      },
    );
    await scheduler.advance(1999);
    expect(outcome).toBeUndefined();
    await scheduler.advance(1);
    expect(outcome).toBeInstanceOf(KmLibraryError);
    expect(outcome).toMatchObject({ code: 'library_unavailable', path: 'identity' });
    expect((outcome as Error).message).toMatch(/did not load within 2000 ms/);
    // The library loading late still runs what was queued, without throwing.
    expect(() => loadLibrary('late')).not.toThrow();
  });
});
