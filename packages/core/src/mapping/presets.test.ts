import { describe, expect, test } from 'vitest';
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

function names(message: Record<string, unknown>, options?: MapOptions) {
  const [first] = map(message, options);
  return first !== undefined && 'event' in first ? first.event : undefined;
}

function keys(message: Record<string, unknown>, options?: MapOptions) {
  const [first] = map(message, options);
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
    ['screen', { name: 'Cart', category: 'Shop' }, 'Viewed Shop Cart page'],
    ['screen', { category: 'Shop' }, 'Loaded a Screen'],
  ])('names a %s with %j "%s"', (type, fields, expected) => {
    expect(names({ type, ...fields }, rudderstack)).toBe(expected);
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
      screen: names({ type: 'screen', name: 'Cart', category: 'Shop' }, options),
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
        trackKeys: ['plan', 'revenue', 'Billing Amount'],
        orderKeys: ['total', 'Billing Amount'],
        productKeys: ['sku'],
        pageKeys: ['url'],
        identify: ['set', 'alias'],
      },
      {
        name: 'rudderstack',
        page: 'Viewed Docs Home page',
        categoryOnlyPage: 'Loaded a Page',
        screen: 'Viewed Shop Cart page',
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
