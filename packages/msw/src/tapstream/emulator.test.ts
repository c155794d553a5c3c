import { isKmValidationError } from '@kmkit/core';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, useServer } from '../../test/server.js';
import { createTapstreamEmulator } from './emulator.js';

const clock = manualClock();
const ACCOUNT = { name: 'acme', secret: 's3cret' };
const HOOKS = 'https://hooks.example.com';
const ts = createTapstreamEmulator({
  accounts: [ACCOUNT, { name: 'other', secret: 'other-secret' }],
  postbacks: [
    {
      url: `${HOOKS}/all?km=TS{hit.custom_parameters.km_identity}&event=TS{event.name}&at=TS{event.timestamp}&tracker=TS{hit.tracker.slug}&created=TS{hit.created}&session=TS{hit.session_id}&ip=TS{event.ip}&missing=TS{hit.custom_parameters.nope}`,
    },
    { url: `${HOOKS}/installs?event=TS{event.name}`, events: ['ios-myapp-install'] },
  ],
  now: clock.now,
});

/** What the postback receiver got, and how it answers. */
let received: string[] = [];
let hookAnswer: () => Response | Promise<Response> = () => new HttpResponse(null, { status: 204 });
const hooks = http.get(`${HOOKS}/*`, ({ request }) => {
  received.push(request.url);
  return hookAnswer();
});

const server = useServer(...ts.handlers, hooks);
afterEach(() => {
  ts.reset();
  received = [];
  hookAnswer = () => new HttpResponse(null, { status: 204 });
});

const API = 'https://api.tapstream.com';
const LOOKUP = 'https://reporting.tapstream.com/v1/timelines/lookup';
const SUMMARY = 'https://reporting.tapstream.com/v1/timelines/summary';

function hit(tracker: string, query: string, account = 'acme') {
  return fetch(`${API}/${account}/hit/${tracker}.gif?${query}`);
}

function appEvent(
  name: string,
  fields: Record<string, string>,
  options: { account?: string; headers?: Record<string, string> } = {},
) {
  return fetch(`${API}/${options.account ?? 'acme'}/event/${name}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: new URLSearchParams({ secret: ACCOUNT.secret, ...fields }),
  });
}

async function lookup(query: Record<string, string>, url = LOOKUP) {
  const response = await fetch(`${url}?${new URLSearchParams(query)}`);
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('web tracker script', () => {
  it.each([
    'https://cdn.tapstream.com/static/js/tapstream.js',
    'http://cdn.tapstream.com/static/js/tapstream.js',
  ])('serves the web tracker at %s as JavaScript', async (url) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    const source = await response.text();
    expect(() => new Function(source)).not.toThrow();
    expect(source).toContain('"_tsclick"');
  });
});

describe('hits', () => {
  it('stores a GET hit on its click timeline with tags and custom parameters, answering a GIF', async () => {
    const response = await hit(
      'javascript_tracker',
      '__ts=spring,email&__tl=tl-1&custom-km_identity=ab%2Bc%2Fd%3D%3D&custom-plan=pro',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect((await response.arrayBuffer()).byteLength).toBe(43);
    expect(ts.timeline('tl-1')).toEqual({
      id: 'tl-1',
      hits: [
        {
          id: 1,
          tracker: 'javascript_tracker',
          created: clock.seconds(),
          session_id: 'tl-1',
          tags: ['spring', 'email'],
          custom_parameters: { km_identity: 'ab+c/d==', plan: 'pro' },
        },
      ],
    });
  });

  it('accepts the SDKs POST with a form body, and gives a hit without a timeline one of its own', async () => {
    const response = await fetch(`http://api.tapstream.com/acme/hit/app%20banner.gif`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '__ts=a%2Cb',
    });
    expect(response.status).toBe(200);
    expect(ts.timelines()).toEqual([
      {
        id: 'timeline-1',
        hits: [
          {
            id: 1,
            tracker: 'app banner',
            created: clock.seconds(),
            session_id: 'timeline-1',
            tags: ['a', 'b'],
            custom_parameters: {},
          },
        ],
      },
    ]);
  });

  it('adds later hits of the same cookie to the same timeline, oldest first', async () => {
    await hit('first', '__tl=tl-9');
    clock.advance(60_000);
    await hit('second', '__tl=tl-9&__ts=');
    expect(ts.timeline('tl-9')?.hits.map((h) => [h.id, h.tracker, h.tags])).toEqual([
      [1, 'first', []],
      [2, 'second', []],
    ]);
  });

  it('lets a page read API answers (access-control-allow-origin: *) unless cors is off', async () => {
    expect((await hit('t', '__tl=x')).headers.get('access-control-allow-origin')).toBe('*');
    const lookupAnswer = await fetch(`${LOOKUP}?secret=${ACCOUNT.secret}&event_session=u`);
    expect(lookupAnswer.headers.get('access-control-allow-origin')).toBe('*');
    const closed = createTapstreamEmulator({ accounts: [ACCOUNT], cors: false });
    server.use(...closed.handlers);
    try {
      expect((await hit('t', '__tl=x')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      server.resetHandlers();
    }
  });

  it('answers 403 for an unknown account and 404 for a path that is no tracker .gif', async () => {
    expect((await hit('t', '__tl=x', 'nobody')).status).toBe(403);
    expect((await fetch(`${API}/acme/hit/t.png?__tl=x`)).status).toBe(404);
    expect((await fetch(`${API}/acme/hit/a/b.gif?__tl=x`)).status).toBe(404);
    expect((await fetch(`${API}/acme/hit/%E0%A4.gif?__tl=x`)).status).toBe(404);
    expect((await hit('t', '__tl=x', '%E0%A4')).status).toBe(403);
    expect(ts.timelines()).toEqual([]);
  });
});

describe('app events', () => {
  it('stores an event on its session with its time and custom parameters', async () => {
    const response = await appEvent('ios-myapp-install', {
      uuid: 'uuid-1',
      'created-ms': '1700000000123',
      sdkversion: '3.0',
      'custom-plan': 'pro',
      'custom-referrer': 'a+b',
    });
    expect(response.status).toBe(200);
    expect(ts.sessions()).toEqual([
      {
        uuid: 'uuid-1',
        account: 'acme',
        events: [
          {
            name: 'ios-myapp-install',
            created: 1_700_000_000,
            created_ms: 1_700_000_000_123,
            custom_parameters: { plan: 'pro', referrer: 'a+b' },
          },
        ],
        timeline: null,
        attributedAt: null,
      },
    ]);
  });

  it('decodes the URL-encoded event name', async () => {
    await appEvent(encodeURIComponent('Signed Up: trial+'), { uuid: 'u' });
    expect(ts.sessions()[0]?.events[0]?.name).toBe('Signed Up: trial+');
  });

  it('takes the server time when created-ms is absent', async () => {
    await appEvent('open', { uuid: 'u' });
    expect(ts.sessions()[0]?.events[0]).toMatchObject({
      created: clock.seconds(),
      created_ms: clock.now(),
    });
  });

  it('drops custom parameters whose key or value is over 255 characters', async () => {
    await appEvent('open', {
      uuid: 'u',
      [`custom-${'k'.repeat(256)}`]: 'v',
      'custom-long': 'v'.repeat(256),
      [`custom-${'k'.repeat(255)}`]: 'v'.repeat(255),
    });
    expect(ts.sessions()[0]?.events[0]?.custom_parameters).toEqual({
      ['k'.repeat(255)]: 'v'.repeat(255),
    });
  });

  it('answers 403 for an unknown account, a wrong secret or none, and stores nothing', async () => {
    expect((await appEvent('open', { uuid: 'u' }, { account: 'nobody' })).status).toBe(403);
    expect((await appEvent('open', { uuid: 'u', secret: 'wrong' })).status).toBe(403);
    expect((await appEvent('open', { uuid: 'u', secret: 'other-secret' })).status).toBe(403);
    const noSecret = await fetch(`${API}/acme/event/open/`, { method: 'POST', body: 'uuid=u' });
    expect(noSecret.status).toBe(403);
    expect(ts.sessions()).toEqual([]);
  });

  it.each([
    ['an empty name', ''],
    ['a name over 255 characters', 'e'.repeat(256)],
    ['an encoded /', 'a%2Fb'],
    ['an encoded ?', 'a%3Fb'],
    ['an encoded #', 'a%23b'],
    ['a backslash', 'a%5Cb'],
    ['a control character', 'a%0Ab'],
    ['a second path segment', 'a/b'],
    ['malformed percent-encoding', 'a%E0%A4b'],
  ])('answers 404 for %s', async (_, name) => {
    expect((await appEvent(name, { uuid: 'u' })).status).toBe(404);
    expect(ts.sessions()).toEqual([]);
  });

  it('answers 404 without the trailing slash of the event path', async () => {
    const response = await fetch(`${API}/acme/event/open`, {
      method: 'POST',
      body: new URLSearchParams({ secret: ACCOUNT.secret, uuid: 'u' }),
    });
    expect(response.status).toBe(404);
  });

  it('accepts a name of exactly 255 characters', async () => {
    expect((await appEvent('e'.repeat(255), { uuid: 'u' })).status).toBe(200);
  });

  it('answers 400 without uuid, or with a created-ms that is not whole milliseconds', async () => {
    expect((await appEvent('open', {})).status).toBe(400);
    expect((await appEvent('open', { uuid: 'u', 'created-ms': '17e11' })).status).toBe(400);
    expect(ts.sessions()).toEqual([]);
  });
});

describe('timeline lookup and attribution', () => {
  async function clickAndInstall() {
    await hit('javascript_tracker', '__tl=tl-1&custom-km_identity=anon%2B1%3D');
    clock.advance(1000);
    await hit('spring', '__tl=tl-1&custom-deeplink=myapp%3A%2F%2Fpromo&custom-km_identity=later');
    clock.advance(1000);
    await appEvent('ios-myapp-install', { uuid: 'uuid-1', 'custom-plan': 'free' });
  }

  it('answers [] until the session is attributed, then { hits, events } with hits[0] the oldest', async () => {
    await clickAndInstall();
    expect(await lookup({ secret: ACCOUNT.secret, event_session: 'uuid-1' })).toEqual({
      status: 200,
      body: [],
    });
    ts.attribute('uuid-1', 'tl-1');
    const { status, body } = await lookup({ secret: ACCOUNT.secret, event_session: 'uuid-1' });
    expect(status).toBe(200);
    expect(body).toEqual({
      hits: ts.timeline('tl-1')!.hits,
      events: ts.sessions()[0]!.events,
    });
    expect(body).toMatchObject({
      hits: [
        { tracker: 'javascript_tracker', custom_parameters: { km_identity: 'anon+1=' } },
        { tracker: 'spring' },
      ],
      events: [{ name: 'ios-myapp-install', custom_parameters: { plan: 'free' } }],
    });
  });

  it('answers [] for a session that does not exist', async () => {
    expect((await lookup({ secret: ACCOUNT.secret, event_session: 'nope' })).body).toEqual([]);
  });

  it('keeps answering [] for the delay, measured with the clock', async () => {
    await clickAndInstall();
    ts.attribute('uuid-1', 'tl-1', { delayMs: 5000 });
    expect(ts.sessions()[0]).toMatchObject({ timeline: 'tl-1', attributedAt: clock.now() + 5000 });
    clock.advance(4999);
    expect((await lookup({ secret: ACCOUNT.secret, event_session: 'uuid-1' })).body).toEqual([]);
    clock.advance(1);
    expect((await lookup({ secret: ACCOUNT.secret, event_session: 'uuid-1' })).body).toMatchObject({
      hits: [{ tracker: 'javascript_tracker' }, { tracker: 'spring' }],
    });
  });

  it('answers 403 for a wrong secret and 400 without event_session', async () => {
    await clickAndInstall();
    ts.attribute('uuid-1', 'tl-1');
    for (const url of [LOOKUP, SUMMARY]) {
      expect(await lookup({ secret: 'wrong', event_session: 'uuid-1' }, url)).toMatchObject({
        status: 403,
      });
      expect(await lookup({ event_session: 'uuid-1' }, url)).toMatchObject({ status: 403 });
      expect(await lookup({ secret: ACCOUNT.secret }, url)).toMatchObject({ status: 400 });
    }
  });

  it('does not show a session to another account', async () => {
    await clickAndInstall();
    ts.attribute('uuid-1', 'tl-1');
    expect((await lookup({ secret: 'other-secret', event_session: 'uuid-1' })).body).toEqual([]);
  });

  it('with blocking=true, waits for a pending attribution before answering', async () => {
    const realTime = createTapstreamEmulator({ accounts: [ACCOUNT] });
    server.use(...realTime.handlers);
    try {
      await hit('javascript_tracker', '__tl=tl-1');
      await appEvent('open', { uuid: 'uuid-1' });
      realTime.attribute('uuid-1', 'tl-1', { delayMs: 50 });
      const blocking = await lookup({
        secret: ACCOUNT.secret,
        event_session: 'uuid-1',
        blocking: 'true',
      });
      expect(blocking.body).toMatchObject({ hits: [{ tracker: 'javascript_tracker' }] });
    } finally {
      server.resetHandlers();
    }
  });

  it('with blocking=true, gives up after blockingTimeoutMs and answers []', async () => {
    const bounded = createTapstreamEmulator({ accounts: [ACCOUNT], blockingTimeoutMs: 20 });
    server.use(...bounded.handlers);
    try {
      await hit('javascript_tracker', '__tl=tl-1');
      bounded.attribute('uuid-1', 'tl-1', { delayMs: 3_600_000 });
      const blocking = await lookup({
        secret: ACCOUNT.secret,
        event_session: 'uuid-1',
        blocking: 'true',
      });
      expect(blocking.body).toEqual([]);
    } finally {
      server.resetHandlers();
    }
  });

  it('answers the summary: credited hit params, campaigns, deep links and event params', async () => {
    await clickAndInstall();
    expect(
      (await lookup({ secret: ACCOUNT.secret, event_session: 'uuid-1' }, SUMMARY)).body,
    ).toEqual([]);
    await appEvent('ios-myapp-open', { uuid: 'uuid-1', 'custom-plan': 'pro', 'custom-seats': '2' });
    ts.attribute('uuid-1', 'tl-1');
    const [first, second] = ts.timeline('tl-1')!.hits;
    const { status, body } = await lookup(
      { secret: ACCOUNT.secret, event_session: 'uuid-1', blocking: 'true' },
      SUMMARY,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      latest_deeplink: 'myapp://promo',
      latest_deeplink_timestamp: second!.created * 1000,
      deeplinks: ['myapp://promo'],
      campaigns: ['javascript_tracker', 'spring'],
      hit_params: { km_identity: 'anon+1=' },
      event_params: { plan: 'pro', seats: '2' },
    });
    expect(first!.created).toBeLessThan(second!.created);
  });

  it('refuses to attribute to an unknown timeline, or with a bad delay', () => {
    for (const act of [
      () => ts.attribute('uuid-1', 'no-such-timeline'),
      () => ts.attribute('uuid-1', 'tl-1', { delayMs: -5 }),
    ]) {
      let error: unknown;
      try {
        act();
      } catch (caught) {
        error = caught;
      }
      expect(isKmValidationError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'invalid_option' });
    }
  });

  it('keeps the join permanent: another timeline throws, the same one changes nothing', async () => {
    await hit('a', '__tl=tl-1');
    await hit('b', '__tl=tl-2');
    ts.attribute('uuid-1', 'tl-1');
    expect(() => ts.attribute('uuid-1', 'tl-2')).toThrow(/already attributed to timeline "tl-1"/);
    ts.attribute('uuid-1', 'tl-1', { delayMs: 10_000 });
    expect(ts.sessions()[0]).toMatchObject({ timeline: 'tl-1', attributedAt: clock.now() });
  });
});

describe('postbacks', () => {
  async function attributedSession() {
    await hit('javascript_tracker', '__tl=tl-1&custom-km_identity=ab%2Bc%2Fd%3D%3D');
    ts.attribute('uuid-1', 'tl-1');
  }

  it('calls every template for an event of an attributed session, with macros filled and encoded', async () => {
    await attributedSession();
    const hitCreated = ts.timeline('tl-1')!.hits[0]!.created;
    await appEvent(
      'ios-myapp-install',
      { uuid: 'uuid-1', 'created-ms': '1700000000999' },
      { headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' } },
    );
    await ts.settled();
    const all = `${HOOKS}/all?km=ab%2Bc%2Fd%3D%3D&event=ios-myapp-install&at=1700000000&tracker=javascript_tracker&created=${hitCreated}&session=tl-1&ip=203.0.113.9&missing=`;
    const installs = `${HOOKS}/installs?event=ios-myapp-install`;
    expect(ts.postbacks()).toEqual([
      { url: all, event: 'ios-myapp-install', session: 'uuid-1', status: 204 },
      { url: installs, event: 'ios-myapp-install', session: 'uuid-1', status: 204 },
    ]);
    expect(received.sort()).toEqual([all, installs].sort());
  });

  it('calls only the templates whose events filter names the event', async () => {
    await attributedSession();
    await appEvent('ios-myapp-open', { uuid: 'uuid-1' });
    await ts.settled();
    expect(ts.postbacks().map((call) => new URL(call.url).pathname)).toEqual(['/all']);
  });

  it('does not call for events of a session that is not attributed', async () => {
    await hit('javascript_tracker', '__tl=tl-1');
    await appEvent('ios-myapp-open', { uuid: 'unattributed' });
    await ts.settled();
    expect(ts.postbacks()).toEqual([]);
    expect(received).toEqual([]);
  });

  it('posts back events that arrived before the attribution once it takes effect, each once', async () => {
    await hit('javascript_tracker', '__tl=tl-1&custom-km_identity=k');
    await appEvent('ios-myapp-install', { uuid: 'uuid-1' });
    await appEvent('ios-myapp-open', { uuid: 'uuid-1' });
    ts.attribute('uuid-1', 'tl-1', { delayMs: 2000 });
    await ts.settled();
    expect(ts.postbacks()).toEqual([]);
    clock.advance(2000);
    await ts.settled();
    await appEvent('ios-myapp-open', { uuid: 'uuid-1' });
    await ts.settled();
    expect(ts.postbacks().map((call) => `${new URL(call.url).pathname} ${call.event}`)).toEqual([
      '/all ios-myapp-install',
      '/installs ios-myapp-install',
      '/all ios-myapp-open',
      '/all ios-myapp-open',
    ]);
  });

  it('answers the app event without waiting for its postbacks', async () => {
    await attributedSession();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    hookAnswer = async () => {
      await released;
      return new HttpResponse(null, { status: 200 });
    };
    expect((await appEvent('ios-myapp-open', { uuid: 'uuid-1' })).status).toBe(200);
    expect(ts.postbacks()).toEqual([]);
    release();
    await ts.settled();
    expect(ts.postbacks()).toMatchObject([{ status: 200 }]);
  });

  it('settles when the postback target answers with a body (a forwarder answers JSON)', async () => {
    await attributedSession();
    hookAnswer = () => HttpResponse.json({ outcome: 'forwarded' }, { status: 200 });
    await appEvent('ios-myapp-open', { uuid: 'uuid-1' });
    await ts.settled();
    expect(ts.postbacks()).toMatchObject([{ status: 200, event: 'ios-myapp-open' }]);
  });

  it('records a failed postback with its error', async () => {
    await attributedSession();
    hookAnswer = () => HttpResponse.error();
    await appEvent('ios-myapp-open', { uuid: 'uuid-1' });
    await ts.settled();
    expect(ts.postbacks()).toEqual([
      expect.objectContaining({ error: expect.any(String), event: 'ios-myapp-open' }),
    ]);
    expect(ts.postbacks()[0]).not.toHaveProperty('status');
  });

  it('sends postbacks with the injected fetch', async () => {
    const calls: string[] = [];
    const injected = createTapstreamEmulator({
      accounts: [ACCOUNT],
      postbacks: [{ url: 'https://forwarder.test/pb?e=TS{event.name}' }],
      fetch: async (input) => {
        calls.push(String(input));
        return new Response(null, { status: 202 });
      },
    });
    server.use(...injected.handlers);
    try {
      await hit('javascript_tracker', '__tl=tl-1');
      injected.attribute('uuid-1', 'tl-1');
      await appEvent('Signed%20Up', { uuid: 'uuid-1' });
      await injected.settled();
    } finally {
      server.resetHandlers();
    }
    expect(calls).toEqual(['https://forwarder.test/pb?e=Signed%20Up']);
    expect(injected.postbacks()).toMatchObject([{ status: 202 }]);
  });

  it('refuses a postback template that is not an http(s) URL', () => {
    let error: unknown;
    try {
      createTapstreamEmulator({ postbacks: [{ url: 'TS{event.name}' }] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'invalid_option', path: 'postbacks[0].url' });
  });
});

describe('faults and reset', () => {
  it('injects faults per Tapstream route, and a faulted request has no effect', async () => {
    ts.faults.set('hit', { answers: [503] });
    ts.faults.set('event', { answers: [{ status: 429, retryAfter: '3' }] });
    ts.faults.set('lookup', { answers: ['network-error'] });
    ts.faults.set('summary', { answers: [500] });
    ts.faults.set('js', { answers: [503] });
    expect((await hit('t', '__tl=tl-1')).status).toBe(503);
    const limited = await appEvent('open', { uuid: 'u' });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    await expect(fetch(`${LOOKUP}?secret=${ACCOUNT.secret}&event_session=u`)).rejects.toThrow(
      TypeError,
    );
    expect((await fetch(`${SUMMARY}?secret=${ACCOUNT.secret}&event_session=u`)).status).toBe(500);
    expect((await fetch('https://cdn.tapstream.com/static/js/tapstream.js')).status).toBe(503);
    expect(ts.timelines()).toEqual([]);
    expect(ts.sessions()).toEqual([]);
    expect(ts.faults.counts()).toEqual({
      hit: { '503': 1 },
      event: { '429': 1 },
      lookup: { 'network-error': 1 },
      summary: { '500': 1 },
      js: { '503': 1 },
    });
    expect((await hit('t', '__tl=tl-1')).status).toBe(200);
  });

  it('forgets timelines, sessions, attributions and postbacks on reset()', async () => {
    await hit('javascript_tracker', '__tl=tl-1');
    ts.attribute('uuid-1', 'tl-1');
    await appEvent('open', { uuid: 'uuid-1' });
    await ts.settled();
    expect(ts.postbacks()).toHaveLength(1);
    ts.reset();
    expect([ts.timelines(), ts.sessions(), ts.postbacks()]).toEqual([[], [], []]);
    await hit('javascript_tracker', '__tl=tl-1');
    expect(ts.timeline('tl-1')?.hits[0]?.id).toBe(1);
  });
});
