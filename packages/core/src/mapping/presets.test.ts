import { describe, expect, test } from 'vitest';
import { toKmq } from '../encoding/kmq.js';
import type { KmCommand } from '../model/command.js';
import { type MapOptions, mapEvent } from './map-event.js';

// Expectations from reference/peer-mappings.md (the peers' names), not from this code.
const T = 1714557600;

function map(message: Record<string, unknown>, options?: MapOptions) {
  return mapEvent({ userId: 'u', timestamp: T, ...message }, options).commands.map(
    (command: KmCommand) =>
      'properties' in command ? { ...command, properties: { ...command.properties } } : command,
  );
}

// The event's own command: Segment's `Page View` record comes before a page's own record.
function main(message: Record<string, unknown>, options?: MapOptions) {
  return map(message, options).find((c) => !('event' in c) || c.event !== 'Page View');
}

function names(message: Record<string, unknown>, options?: MapOptions) {
  const first = main(message, options);
  return first !== undefined && 'event' in first ? first.event : undefined;
}

function keys(message: Record<string, unknown>, options?: MapOptions) {
  const first = main(message, options);
  return first !== undefined && 'properties' in first ? first.properties : undefined;
}

const purchase = { type: 'track', event: 'Purchased', properties: { plan: 'Pro', revenue: '$10' } };

describe('rudderstack preset (cloud-mode names)', () => {
  const rudderstack = { preset: 'rudderstack' } as const;

  test('prefixes track keys "<event>-<key>" but revenue "<event> - revenue", plus Billing Amount', () => {
    expect(keys(purchase, { ...rudderstack, prefixProperties: true })).toEqual({
      'Purchased-plan': 'Pro',
      'Purchased - revenue': 10,
      'Billing Amount': 10,
    });
  });

  test('writes Billing Amount only when prefixing', () => {
    expect(keys(purchase, rudderstack)).toEqual({ plan: 'Pro', revenue: 10 });
  });

  test('prefixes page keys "Page-<key>" and never screen keys', () => {
    const options = { ...rudderstack, prefixProperties: true };
    expect(keys({ type: 'page', name: 'Home', properties: { url: 'u' } }, options)).toEqual({
      'Page-url': 'u',
    });
    expect(keys({ type: 'screen', name: 'Cart', properties: { step: 1 } }, options)).toEqual({
      step: 1,
    });
  });

  test.each([
    ['page', {}, 'Loaded a Page'],
    ['page', { name: 'Home' }, 'Viewed Home page'],
    ['page', { name: 'Home', properties: { category: 'Docs' } }, 'Viewed Docs Home page'],
    ['page', { category: 'Docs' }, 'Loaded a Page'],
    ['screen', {}, 'Loaded a Screen'],
    ['screen', { name: 'Cart' }, 'Viewed Cart screen'],
    ['screen', { name: 'Cart', properties: { category: 'Shop' } }, 'Viewed Shop Cart page'],
    ['screen', { properties: { category: 'Shop' } }, 'Loaded a Screen'],
  ])('names a %s with %j "%s"', (type, fields, expected) => {
    expect(names({ type, ...fields }, rudderstack)).toBe(expected);
  });

  test("rudderstack preset: a screen's top-level category is ignored, as RudderStack's cloud transform does", () => {
    expect(names({ type: 'screen', name: 'Cart', category: 'Shop' }, rudderstack)).toBe(
      'Viewed Cart screen',
    );
    expect(names({ type: 'page', name: 'Home', category: 'Docs' }, rudderstack)).toBe(
      'Viewed Home page',
    );
    // properties.category is read even when a top-level category is there.
    expect(
      names(
        { type: 'page', name: 'Home', category: 'Docs', properties: { category: 'Guides' } },
        rudderstack,
      ),
    ).toBe('Viewed Guides Home page');
  });

  test("rudderstack preset: a page's revenue is 'Page - revenue' plus Billing Amount when prefixing, as RudderStack's cloud transform does", () => {
    const page = { type: 'page', name: 'Checkout', properties: { revenue: '$12.50', step: 2 } };
    expect(keys(page, { ...rudderstack, prefixProperties: true })).toEqual({
      'Page - revenue': 12.5,
      'Page-step': 2,
      'Billing Amount': 12.5,
    });
    // Without prefixing RudderStack still reads the amount, but writes no Billing Amount.
    expect(keys(page, rudderstack)).toEqual({ revenue: 12.5, step: 2 });
  });

  test("rudderstack preset: a screen's revenue is read but never prefixed, so no Billing Amount, as RudderStack's cloud transform does", () => {
    expect(
      keys(
        { type: 'screen', name: 'Cart', properties: { revenue: '$3', step: 1 } },
        { ...rudderstack, prefixProperties: true },
      ),
    ).toEqual({ revenue: 3, step: 1 });
  });

  test("rudderstack preset: a product row's revenue is '<event> - revenue' plus Billing Amount when prefixing, as RudderStack's cloud transform does", () => {
    const order = {
      type: 'track',
      event: 'Order Completed',
      properties: { revenue: 30, products: [{ sku: 'a', revenue: '$10' }, { sku: 'b' }] },
    };
    const commands = map(order, { ...rudderstack, prefixProperties: true });
    expect(commands.slice(1)).toEqual([
      {
        type: 'set',
        person: 'u',
        time: T + 1,
        properties: {
          'Order Completed-sku': 'a',
          'Order Completed - revenue': 10,
          'Billing Amount': 10,
        },
      },
      { type: 'set', person: 'u', time: T + 2, properties: { 'Order Completed-sku': 'b' } },
    ]);
    // The other presets send a product's revenue as an ordinary property.
    expect(map(order, { preset: 'segment' })[1]).toMatchObject({
      properties: { 'Order Completed - sku': 'a', 'Order Completed - revenue': '$10' },
    });
  });

  test("rudderstack preset: a product's revenue that is not an amount stays text, with a warning naming it", () => {
    const { commands, warnings } = mapEvent(
      {
        type: 'track',
        userId: 'u',
        timestamp: T,
        event: 'Bought',
        properties: { products: [{ revenue: 'free' }] },
      },
      { ...rudderstack, prefixProperties: true },
    );
    expect(commands[1]).toMatchObject({ properties: { 'Bought - revenue': 'free' } });
    expect(commands[1]).not.toHaveProperty(['properties', 'Billing Amount']);
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['invalid_revenue', 'properties.products[0].revenue'],
    ]);
  });

  test("rudderstack preset in device mode: every prefixed key is '<event> - <key>', as RudderStack's device integration does", () => {
    const device = { ...rudderstack, mode: 'device', prefixProperties: true } as const;
    const track = { type: 'track', event: 'Track me', properties: { label: 'x', revenue: 5 } };
    expect(keys(track, device)).toEqual({
      'Track me - label': 'x',
      'Track me - revenue': 5,
      'Billing Amount': 5,
    });
    expect(keys({ type: 'page', name: 'Home', properties: { path: '/' } }, device)).toEqual({
      'Page - path': '/',
    });
    const order = {
      type: 'track',
      event: 'Order Completed',
      properties: { products: [{ sku: 'a' }] },
    };
    expect(map(order, device)[1]).toMatchObject({ properties: { 'Order Completed - sku': 'a' } });
    // Cloud mode keeps the cloud transform's names.
    const cloud = { ...rudderstack, prefixProperties: true };
    expect(Object.keys(keys(track, cloud)!)).toEqual([
      'Track me-label',
      'Track me - revenue',
      'Billing Amount',
    ]);
    expect(keys({ type: 'page', name: 'Home', properties: { path: '/' } }, cloud)).toEqual({
      'Page-path': '/',
    });
  });

  test('rudderstack preset in device mode: an explicit prefixSeparator still wins', () => {
    expect(
      keys(
        { type: 'track', event: 'E', properties: { a: 1 } },
        { ...rudderstack, mode: 'device', prefixProperties: true, prefixSeparator: '/' },
      ),
    ).toEqual({ 'E/a': 1 });
  });

  test('has no total fallback for Order Completed', () => {
    expect(
      keys(
        { type: 'track', event: 'Order Completed', properties: { total: 30 } },
        {
          ...rudderstack,
          prefixProperties: true,
        },
      ),
    ).toEqual({ 'Order Completed-total': 30 });
  });

  test('does not alias on identify, never prefixes traits and adds no id', () => {
    expect(
      map(
        { type: 'identify', anonymousId: 'a', traits: { plan: 'Pro' } },
        { ...rudderstack, prefixProperties: true },
      ),
    ).toEqual([{ type: 'set', person: 'u', time: T, properties: { plan: 'Pro' } }]);
  });

  test('prefixes product rows "<event>-<key>"', () => {
    const commands = map(
      { type: 'track', event: 'Order Completed', properties: { products: [{ sku: 'a' }] } },
      { ...rudderstack, prefixProperties: true },
    );
    expect(commands[1]).toMatchObject({ properties: { 'Order Completed-sku': 'a' } });
  });
});

describe('segment preset', () => {
  const segment = { preset: 'segment' } as const;

  test('prefixes track keys "<event> - <key>" by default, and writes Billing Amount unprefixed', () => {
    expect(keys(purchase, segment)).toEqual({
      'Purchased - plan': 'Pro',
      'Purchased - revenue': 10,
      'Billing Amount': 10,
    });
  });

  test('writes Billing Amount with revenue even when prefixing is turned off', () => {
    expect(keys(purchase, { ...segment, prefixProperties: false })).toEqual({
      plan: 'Pro',
      revenue: 10,
      'Billing Amount': 10,
    });
  });

  test('uses total for Order Completed without revenue', () => {
    expect(
      keys({ type: 'track', event: 'Order Completed', properties: { total: 30 } }, segment),
    ).toEqual({ 'Order Completed - total': 30, 'Billing Amount': 30 });
  });

  test.each([
    ['page', { name: 'Home', category: 'Docs' }, 'Viewed Home Page'],
    ['page', { name: 'Home' }, 'Viewed Home Page'],
    ['page', { category: 'Docs' }, 'Viewed Docs Page'],
    ['page', {}, 'Loaded a Page'],
    ['screen', { name: 'Cart', category: 'Shop' }, 'Viewed Cart Screen'],
    ['screen', { category: 'Shop' }, 'Viewed Shop Screen'],
    ['screen', {}, 'Loaded a Screen'],
  ])('names a %s with %j "%s"', (type, fields, expected) => {
    expect(names({ type, ...fields }, segment)).toBe(expected);
  });

  test('always prefixes page and screen properties, even with prefixProperties: false', () => {
    const off = { ...segment, prefixProperties: false };
    expect(keys({ type: 'page', name: 'Home', properties: { url: 'u' } }, off)).toEqual({
      'Page - url': 'u',
    });
    expect(keys({ type: 'screen', name: 'Cart', properties: { step: 1 } }, off)).toEqual({
      'Screen - step': 1,
    });
  });

  test("segment preset: the 'Direct' referrer of 'Page View' keeps to a configured value limit shorter than it", () => {
    const [view] = map({ type: 'page', name: 'Home' }, { ...segment, limits: { valueLength: 3 } });
    expect(view).toMatchObject({ event: 'Page View', properties: { Referrer: 'Dir' } });
  });

  test("segment preset: a page first records 'Page View' with 'Viewed URL' and 'Referrer', as Segment's browser integration does", () => {
    const page = {
      type: 'page',
      name: 'Home',
      properties: { url: 'https://shop.example/home', referrer: 'https://www.google.com/' },
    };
    expect(map(page, segment)).toEqual([
      {
        type: 'record',
        person: 'u',
        event: 'Page View',
        time: T,
        properties: {
          'Viewed URL': 'https://shop.example/home',
          Referrer: 'https://www.google.com/',
        },
      },
      {
        type: 'record',
        person: 'u',
        event: 'Viewed Home Page',
        time: T,
        properties: {
          'Page - url': 'https://shop.example/home',
          'Page - referrer': 'https://www.google.com/',
        },
      },
    ]);
    expect(
      mapEvent({ ...page, timestamp: T }, { ...segment, mode: 'device' }).commands.map(toKmq),
    ).toEqual([
      [
        'record',
        'Page View',
        { 'Viewed URL': 'https://shop.example/home', Referrer: 'https://www.google.com/' },
      ],
      [
        'record',
        'Viewed Home Page',
        {
          'Page - url': 'https://shop.example/home',
          'Page - referrer': 'https://www.google.com/',
        },
      ],
    ]);
  });

  test("segment preset: a page without a referrer has Referrer 'Direct', as Segment's browser integration does", () => {
    const [view] = map({ type: 'page', properties: { url: 'https://shop.example/' } }, segment);
    expect(view).toMatchObject({
      event: 'Page View',
      properties: { 'Viewed URL': 'https://shop.example/', Referrer: 'Direct' },
    });
    // A page without a url (a server that knows none) still counts, without Viewed URL.
    expect(map({ type: 'page', properties: { referrer: '  ' } }, segment)[0]).toEqual({
      type: 'record',
      person: 'u',
      event: 'Page View',
      time: T,
      properties: { Referrer: 'Direct' },
    });
  });

  test("segment preset: recordPageView: false leaves 'Page View' out, as Segment's KM_SKIP_PAGE_VIEW does", () => {
    const page = { type: 'page', name: 'Home', properties: { url: 'https://shop.example/' } };
    expect(
      map(page, { ...segment, recordPageView: false }).map((c) => 'event' in c && c.event),
    ).toEqual(['Viewed Home Page']);
  });

  test("'Page View' goes with pages only, and with the other presets only when asked", () => {
    const at = (message: Record<string, unknown>, options: MapOptions) =>
      map(message, options).map((c) => 'event' in c && c.event);
    expect(at({ type: 'screen', name: 'Cart' }, segment)).toEqual(['Viewed Cart Screen']);
    expect(at({ type: 'page', name: 'Home' }, {})).toEqual(['Viewed Home page']);
    expect(at({ type: 'page', name: 'Home' }, { preset: 'rudderstack' })).toEqual([
      'Viewed Home page',
    ]);
    expect(at({ type: 'page', name: 'Home' }, { recordPageView: true })).toEqual([
      'Page View',
      'Viewed Home page',
    ]);
    expect(() =>
      mapEvent({ type: 'page', userId: 'u' }, { recordPageView: 'no' as never }),
    ).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'recordPageView' }));
  });

  test("segment preset: a long url is cut to the value limit in 'Page View', and warned about once", () => {
    const url = `https://shop.example/${'a'.repeat(600)}`;
    const { commands, warnings } = mapEvent(
      { type: 'page', userId: 'u', timestamp: T, properties: { url } },
      segment,
    );
    expect(commands[0]).toMatchObject({ properties: { 'Viewed URL': url.slice(0, 512) } });
    expect(warnings.map((w) => [w.code, w.path])).toEqual([['value_truncated', 'properties.url']]);
  });

  test('adds id to identify traits, and aliases the anonymous id in cloud mode', () => {
    expect(map({ type: 'identify', anonymousId: 'a', traits: { plan: 'Pro' } }, segment)).toEqual([
      { type: 'set', person: 'u', time: T, properties: { plan: 'Pro', id: 'u' } },
      { type: 'alias', person: 'a', alias: 'u', time: T },
    ]);
  });

  test('sets groups as "Group - <trait>" plus "Group - id"', () => {
    expect(keys({ type: 'group', groupId: 'g1', traits: { name: 'Acme' } }, segment)).toEqual({
      'Group - name': 'Acme',
      'Group - id': 'g1',
    });
  });

  test('explicit options win over the preset: a custom separator', () => {
    expect(keys(purchase, { ...segment, prefixSeparator: '/' })).toEqual({
      'Purchased/plan': 'Pro',
      'Purchased/revenue': 10,
      'Billing Amount': 10,
    });
  });
});

describe('the three profiles side by side', () => {
  const profiles = [
    ['default', { preset: 'default' }],
    ['rudderstack', { preset: 'rudderstack' }],
    ['segment', { preset: 'segment' }],
  ] as const;

  test('one set of calls gives each peer its names', () => {
    const order = {
      type: 'track',
      event: 'Order Completed',
      properties: { total: 30, products: [{ sku: 'a' }] },
    };
    const table = profiles.map(([name, options]) => ({
      name,
      page: names({ type: 'page', name: 'Home', category: 'Docs' }, options),
      categoryOnlyPage: names({ type: 'page', category: 'Docs' }, options),
      screen: names({ type: 'screen', name: 'Cart', properties: { category: 'Shop' } }, options),
      pageRecords: map({ type: 'page', name: 'Home' }, options).length,
      trackKeys: Object.keys(keys(purchase, options)!),
      orderKeys: Object.keys(keys(order, options)!),
      productKeys: Object.keys((map(order, options)[1] as { properties: object }).properties),
      pageKeys: Object.keys(keys({ type: 'page', properties: { url: 'u' } }, options)!),
      identify: map({ type: 'identify', anonymousId: 'a', traits: { plan: 'Pro' } }, options).map(
        (c) => c.type,
      ),
    }));
    expect(table).toEqual([
      {
        name: 'default',
        page: 'Viewed Docs Home page',
        categoryOnlyPage: 'Viewed Docs page',
        screen: 'Viewed Shop Cart screen',
        pageRecords: 1,
        trackKeys: ['plan', 'revenue', 'Billing Amount'],
        orderKeys: ['total', 'Billing Amount'],
        productKeys: ['sku'],
        pageKeys: ['url'],
        identify: ['set', 'alias'],
      },
      {
        name: 'rudderstack',
        page: 'Viewed Home page',
        categoryOnlyPage: 'Loaded a Page',
        screen: 'Viewed Shop Cart page',
        pageRecords: 1,
        trackKeys: ['plan', 'revenue'],
        orderKeys: ['total'],
        productKeys: ['sku'],
        pageKeys: ['url'],
        identify: ['set'],
      },
      {
        name: 'segment',
        page: 'Viewed Home Page',
        categoryOnlyPage: 'Viewed Docs Page',
        screen: 'Viewed Cart Screen',
        pageRecords: 2,
        trackKeys: ['Purchased - plan', 'Purchased - revenue', 'Billing Amount'],
        orderKeys: ['Order Completed - total', 'Billing Amount'],
        productKeys: ['Order Completed - sku'],
        pageKeys: ['Page - url'],
        identify: ['set', 'alias'],
      },
    ]);
  });

  test('with prefixing on, the three prefix formats differ as the peers do', () => {
    const on = (preset: 'default' | 'rudderstack' | 'segment') =>
      Object.keys(keys(purchase, { preset, prefixProperties: true })!);
    expect(on('default')).toEqual(['Purchased - plan', 'Purchased - revenue', 'Billing Amount']);
    expect(on('rudderstack')).toEqual(['Purchased-plan', 'Purchased - revenue', 'Billing Amount']);
    expect(on('segment')).toEqual(['Purchased - plan', 'Purchased - revenue', 'Billing Amount']);
  });

  test("timestamps, flattening and validation stay kmkit's in every preset", () => {
    for (const [, options] of profiles) {
      const commands = map(
        { type: 'track', event: 'E', properties: { a: { b: { c: 1 } }, bad: Number.NaN } },
        { ...options, prefixProperties: false },
      );
      expect(commands[0]).toMatchObject({ time: T, properties: { 'a.b.c': 1 } });
      expect(() => mapEvent({ type: 'track', event: 'E' }, options)).toThrow(
        expect.objectContaining({ code: 'missing_identity' }),
      );
    }
  });
});
