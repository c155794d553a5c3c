import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, useServer } from '../../test/server.js';
import { createKissmetricsEmulator } from './emulator.js';

const clock = manualClock();
const km = createKissmetricsEmulator({ apiKeys: ['key'], now: clock.now });
const server = useServer(...km.handlers);
afterEach(() => km.reset());

const T0 = 1_700_000_000;

/** Sends one tracking request: `/e`, `/s` or `/a` with `_k=key` and the given parameters. */
async function track(path: '/e' | '/s' | '/a', params: Record<string, string | number>) {
  const query = new URLSearchParams({ _k: 'key' });
  for (const [key, value] of Object.entries(params)) query.append(key, String(value));
  const response = await fetch(`https://trk.kissmetrics.io${path}?${query}`);
  expect(response.status).toBe(200);
}

const statuses = () => km.requests().map((request) => request.status);

describe('identities and alias', () => {
  it('joins two identities into one person whatever the order of the /a arguments', async () => {
    await track('/e', { _p: 'anon-1', _n: 'Visited', _t: T0, _d: 1 });
    await track('/e', { _p: 'ann@example.com', _n: 'Logged In', _t: T0 + 5, _d: 1 });
    await track('/a', { _p: 'ann@example.com', _n: 'anon-1' });
    const person = km.person('anon-1');
    expect(person).toEqual({
      identities: ['anon-1', 'ann@example.com'],
      events: [
        { name: 'Visited', time: T0, properties: {} },
        { name: 'Logged In', time: T0 + 5, properties: {} },
      ],
      properties: {},
    });
    expect(km.person('ann@example.com')).toEqual(person);
    expect(km.people()).toEqual([person]);
  });

  it('is transitive: A~B and C~A make A, B and C one person', async () => {
    await track('/a', { _p: 'A', _n: 'B' });
    await track('/a', { _p: 'C', _n: 'A' });
    await track('/a', { _p: 'D', _n: 'E' });
    await track('/a', { _p: 'E', _n: 'B' });
    for (const identity of ['A', 'B', 'C', 'D', 'E']) {
      expect(km.person(identity)?.identities).toEqual(['A', 'B', 'C', 'D', 'E']);
    }
    expect(km.people()).toHaveLength(1);
  });

  it('marks an alias of identities that are already one person as a duplicate', async () => {
    await track('/a', { _p: 'A', _n: 'B' });
    await track('/a', { _p: 'B', _n: 'A' });
    await track('/a', { _p: 'C', _n: 'B' });
    await track('/a', { _p: 'A', _n: 'C' });
    expect(statuses()).toEqual(['accepted', 'duplicate', 'accepted', 'duplicate']);
  });

  it('keeps people apart until an alias joins them, and lists them in first-seen order', async () => {
    await track('/s', { _p: 'zed', a: 1 });
    await track('/s', { _p: 'amy', b: 2 });
    expect(km.people().map((person) => person.identities)).toEqual([['zed'], ['amy']]);
    expect(km.person('nobody')).toBeUndefined();
  });

  it('turns commas and colons in identities into spaces, so either spelling finds the person', async () => {
    await track('/e', { _p: 'team:42,admin', _n: 'Opened' });
    expect(km.person('team 42 admin')?.identities).toEqual(['team 42 admin']);
    expect(km.person('team:42,admin')?.identities).toEqual(['team 42 admin']);
  });
});

describe('names', () => {
  it('compares event names case-insensitively and shows the first spelling', async () => {
    await track('/e', { _p: 'p', _n: 'Signed Up', _t: T0, _d: 1 });
    await track('/e', { _p: 'p', _n: 'SIGNED UP', _t: T0 + 1, _d: 1 });
    await track('/e', { _p: 'p', _n: 'signed up', _t: T0 + 1, _d: 1 });
    expect(km.person('p')?.events.map(({ name, time }) => [name, time])).toEqual([
      ['Signed Up', T0],
      ['Signed Up', T0 + 1],
    ]);
    expect(statuses()).toEqual(['accepted', 'accepted', 'duplicate']);
  });

  it('turns , and : in event and property names into spaces before comparing', async () => {
    await track('/e', { _p: 'p', _n: 'foo:bar,baz', _t: T0, _d: 1, 'Plan:Tier': 'gold' });
    await track('/e', { _p: 'p', _n: 'Foo Bar Baz', _t: T0, _d: 1 });
    await track('/s', { _p: 'p', 'plan tier': 'silver', _t: T0 + 1, _d: 1 });
    expect(km.person('p')).toEqual({
      identities: ['p'],
      events: [{ name: 'foo bar baz', time: T0, properties: { 'Plan Tier': 'gold' } }],
      properties: { 'Plan Tier': 'silver' },
    });
    expect(statuses()).toEqual(['accepted', 'duplicate', 'accepted']);
  });

  it('shows a name as first seen in the product, also for another person', async () => {
    await track('/e', { _p: 'first', _n: 'Added To Cart', Color: 'red' });
    await track('/e', { _p: 'second', _n: 'added to cart', color: 'blue' });
    expect(km.person('second')?.events).toEqual([
      { name: 'Added To Cart', time: clock.seconds(), properties: { Color: 'blue' } },
    ]);
  });

  it('keeps values case-sensitive and as the wire strings', async () => {
    await track('/s', { _p: 'p', City: 'PARIS', count: '007' });
    expect(km.person('p')?.properties).toEqual({ City: 'PARIS', count: '007' });
  });

  it('stores properties named like Object.prototype members as ordinary properties', async () => {
    await fetch(
      'https://trk.kissmetrics.io/s?_k=key&_p=p&constructor=a&toString=b&hasOwnProperty=c',
    );
    const properties = km.person('p')!.properties;
    expect(Object.entries(properties)).toEqual([
      ['constructor', 'a'],
      ['toString', 'b'],
      ['hasOwnProperty', 'c'],
    ]);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
  });

  it('takes __proto__ as a control parameter (it starts with _), never a prototype write', async () => {
    await fetch('https://trk.kissmetrics.io/s?_k=key&_p=p&__proto__=x&ok=1');
    const properties = km.person('p')!.properties;
    expect(properties).toEqual({ ok: '1' });
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
  });
});

describe('time', () => {
  it('uses _t only with _d=1, else the receive time of the server clock', async () => {
    await track('/e', { _p: 'p', _n: 'Backfilled', _t: T0, _d: 1 });
    await track('/e', { _p: 'p', _n: 'Live' });
    await track('/e', { _p: 'p', _n: 'Flag only', _d: 1 });
    expect(km.person('p')?.events.map(({ name, time }) => [name, time])).toEqual([
      ['Backfilled', T0],
      ['Live', clock.seconds()],
      ['Flag only', clock.seconds()],
    ]);
  });

  it('sorts events by time whatever their arrival order', async () => {
    await track('/e', { _p: 'p', _n: 'C', _t: T0 + 20, _d: 1 });
    await track('/e', { _p: 'p', _n: 'A', _t: T0, _d: 1 });
    await track('/e', { _p: 'p', _n: 'B', _t: T0 + 10, _d: 1 });
    expect(km.person('p')?.events.map((event) => event.name)).toEqual(['A', 'B', 'C']);
  });

  it('reads the receive time from the clock at each request', async () => {
    await track('/e', { _p: 'p', _n: 'One' });
    clock.advance(61_000);
    await track('/e', { _p: 'p', _n: 'Two' });
    const [one, two] = km.person('p')!.events;
    expect(two!.time - one!.time).toBe(61);
  });
});

describe('duplicates: person + name + second', () => {
  it('counts a resent event once, and marks the resend a duplicate', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      await track('/e', { _p: 'p', _n: 'Paid', _t: T0, _d: 1, amount: 10 });
    }
    expect(km.person('p')?.events).toEqual([
      { name: 'Paid', time: T0, properties: { amount: '10' } },
    ]);
    expect(statuses()).toEqual(['accepted', 'duplicate', 'duplicate']);
  });

  it('ignores a duplicate event whole, its properties included', async () => {
    await track('/e', { _p: 'p', _n: 'Paid', _t: T0, _d: 1, amount: 10 });
    await track('/e', { _p: 'p', _n: 'Paid', _t: T0, _d: 1, coupon: 'X' });
    expect(km.person('p')?.properties).toEqual({ amount: '10' });
  });

  it('keeps same-name events of other seconds and other people', async () => {
    await track('/e', { _p: 'p', _n: 'Paid', _t: T0, _d: 1 });
    await track('/e', { _p: 'p', _n: 'Paid', _t: T0 + 1, _d: 1 });
    await track('/e', { _p: 'q', _n: 'Paid', _t: T0, _d: 1 });
    expect(km.person('p')?.events).toHaveLength(2);
    expect(km.person('q')?.events).toHaveLength(1);
    expect(statuses()).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('judges duplicates by person, so an alias of the identity counts too', async () => {
    await track('/a', { _p: 'anon', _n: 'named' });
    await track('/e', { _p: 'anon', _n: 'Paid', _t: T0, _d: 1 });
    await track('/e', { _p: 'named', _n: 'Paid', _t: T0, _d: 1 });
    expect(km.person('named')?.events).toHaveLength(1);
    expect(statuses()).toEqual(['accepted', 'accepted', 'duplicate']);
  });

  it('keeps one same-second instance when two people holding it are merged (the first received)', async () => {
    await track('/e', { _p: 'anon', _n: 'Paid', _t: T0, _d: 1, via: 'browser' });
    await track('/e', { _p: 'named', _n: 'Paid', _t: T0, _d: 1, via: 'server' });
    await track('/s', { _p: 'named', plan: 'pro', _t: T0, _d: 1 });
    await track('/s', { _p: 'anon', plan: 'free', _t: T0, _d: 1 });
    await track('/a', { _p: 'named', _n: 'anon' });
    expect(km.person('anon')).toEqual({
      identities: ['anon', 'named'],
      events: [{ name: 'Paid', time: T0, properties: { via: 'browser' } }],
      properties: { via: 'browser', plan: 'pro' },
    });
  });

  it('drops a second write of a property in the same second (the first stays)', async () => {
    await track('/s', { _p: 'p', plan: 'pro', _t: T0, _d: 1 });
    await track('/s', { _p: 'p', plan: 'free', _t: T0, _d: 1 });
    await track('/s', { _p: 'p', Plan: 'team', _t: T0, _d: 1 });
    expect(km.person('p')?.properties).toEqual({ plan: 'pro' });
    expect(statuses()).toEqual(['accepted', 'duplicate', 'duplicate']);
  });

  it('applies the new writes of a partly duplicate /s', async () => {
    await track('/s', { _p: 'p', plan: 'pro', _t: T0, _d: 1 });
    await track('/s', { _p: 'p', plan: 'free', seats: 3, _t: T0, _d: 1 });
    expect(km.person('p')?.properties).toEqual({ plan: 'pro', seats: '3' });
    expect(statuses()).toEqual(['accepted', 'accepted']);
  });
});

describe('properties: latest value by time wins', () => {
  it('keeps the value with the latest time, not the latest arrival', async () => {
    await track('/s', { _p: 'p', plan: 'team', _t: T0 + 60, _d: 1 });
    await track('/s', { _p: 'p', plan: 'free', _t: T0, _d: 1 });
    expect(km.person('p')?.properties).toEqual({ plan: 'team' });
    expect(km.propertyHistory('p', 'PLAN')).toEqual([
      { time: T0, value: 'free' },
      { time: T0 + 60, value: 'team' },
    ]);
  });

  it('sets the properties of an /e on the person at the event time', async () => {
    await track('/s', { _p: 'p', plan: 'free', _t: T0 + 10, _d: 1 });
    await track('/e', { _p: 'p', _n: 'Upgraded', plan: 'pro', _t: T0 + 20, _d: 1 });
    await track('/e', { _p: 'p', _n: 'Backfill', plan: 'legacy', _t: T0 + 5, _d: 1 });
    expect(km.person('p')?.properties).toEqual({ plan: 'pro' });
    expect(km.propertyHistory('p', 'plan').map((change) => change.value)).toEqual([
      'legacy',
      'free',
      'pro',
    ]);
  });

  it('keeps every product row of an order when each has its own second', async () => {
    for (const [index, sku] of ['A-1', 'B-2', 'C-3'].entries()) {
      await track('/s', { _p: 'p', 'Product sku': sku, _t: T0 + index, _d: 1 });
    }
    expect(km.propertyHistory('p', 'Product sku').map((change) => change.value)).toEqual([
      'A-1',
      'B-2',
      'C-3',
    ]);
  });

  it('never takes control parameters (any key starting with _) as properties', async () => {
    await track('/e', { _p: 'p', _n: 'Ev', _c: 'mobile_app', _ip: '1.2.3.4', _custom: 'x', ok: 1 });
    expect(km.person('p')?.properties).toEqual({ ok: '1' });
    expect(km.person('p')?.events[0]?.properties).toEqual({ ok: '1' });
  });

  it('ignores extra parameters of /a', async () => {
    await track('/a', { _p: 'p', _n: 'q', plan: 'pro' });
    expect(km.person('p')?.properties).toEqual({});
  });
});

describe('history: the last 1000 instances of each event and property', () => {
  it('keeps the newest 1000 instances of an event name per person', async () => {
    const sends: Promise<void>[] = [];
    for (let index = 0; index < 1001; index++) {
      sends.push(track('/e', { _p: 'p', _n: 'Ping', _t: T0 + index, _d: 1 }));
      if (sends.length === 50) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    await track('/e', { _p: 'p', _n: 'Other', _t: T0, _d: 1 });
    const events = km.person('p')!.events;
    const pings = events.filter((event) => event.name === 'Ping');
    expect(pings).toHaveLength(1000);
    expect(pings[0]!.time).toBe(T0 + 1);
    expect(pings.at(-1)!.time).toBe(T0 + 1000);
    expect(events.filter((event) => event.name === 'Other')).toHaveLength(1);
  });

  it('keeps the newest 1000 writes of a property per person', async () => {
    const sends: Promise<void>[] = [];
    for (let index = 0; index < 1001; index++) {
      sends.push(track('/s', { _p: 'p', visits: index, _t: T0 + index, _d: 1 }));
      if (sends.length === 50) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    const history = km.propertyHistory('p', 'visits');
    expect(history).toHaveLength(1000);
    expect(history[0]).toEqual({ time: T0 + 1, value: '1' });
    expect(km.person('p')?.properties).toEqual({ visits: '1000' });
  });

  it('applies the limit to a merged person too', async () => {
    const small = createKissmetricsEmulator({ limits: { history: 2 } });
    server.use(...small.handlers);
    try {
      await track('/e', { _p: 'a', _n: 'Ping', _t: T0, _d: 1 });
      await track('/e', { _p: 'a', _n: 'Ping', _t: T0 + 2, _d: 1 });
      await track('/e', { _p: 'b', _n: 'Ping', _t: T0 + 1, _d: 1 });
      await track('/e', { _p: 'b', _n: 'Ping', _t: T0 + 3, _d: 1 });
      await track('/a', { _p: 'a', _n: 'b' });
    } finally {
      server.resetHandlers();
    }
    expect(small.person('b')?.events.map((event) => event.time)).toEqual([T0 + 2, T0 + 3]);
  });
});
