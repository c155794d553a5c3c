import { describe, expect, test } from 'vitest';
import { isKmValidationError } from '../model/errors.js';
import { mapEvent } from './map-event.js';

// Proxies are user code too: whatever their traps do, mapEvent refuses the message with a
// KmValidationError or drops the unreadable part with a warning; nothing else escapes.
const makers = {
  'a proxy whose every trap throws': () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error('get');
        },
        has() {
          throw new Error('has');
        },
        ownKeys() {
          throw new Error('ownKeys');
        },
        getOwnPropertyDescriptor() {
          throw new Error('getOwnPropertyDescriptor');
        },
        getPrototypeOf() {
          throw new Error('getPrototypeOf');
        },
      },
    ),
  'a revoked proxy': () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
};

function places(make: () => object): [string, unknown][] {
  const base = { userId: 'u', event: 'E', groupId: 'g', timestamp: 1714557600 };
  const list: [string, unknown][] = [['the whole message', make()]];
  for (const type of ['track', 'identify', 'page', 'screen', 'group']) {
    list.push(
      [`${type} properties and traits`, { type, ...base, properties: make(), traits: make() }],
      [
        `${type} nested values`,
        {
          type,
          ...base,
          properties: { a: make(), list: [make()], products: [make()], kept: 1 },
          traits: { a: make(), kept: 1 },
        },
      ],
      [`${type} context`, { type, ...base, context: make() }],
      [`${type} context.traits`, { type, ...base, context: { traits: make() } }],
      [
        `${type} products and revenue`,
        { type, ...base, properties: { products: make(), revenue: make() } },
      ],
    );
  }
  return list;
}

describe.each(Object.entries(makers))('%s', (_, make) => {
  test.each(places(make))('in %s is refused or dropped with a warning', (_place, input) => {
    try {
      const { commands, warnings } = mapEvent(input);
      for (const warning of warnings) expect(typeof warning.path).toBe('string');
      expect(Array.isArray(commands)).toBe(true);
    } catch (error) {
      expect(isKmValidationError(error)).toBe(true);
    }
  });

  test('next to readable values, only the unreadable one is lost', () => {
    const { commands, warnings } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'E',
      timestamp: 1,
      properties: { bad: make(), kept: 1 },
    });
    expect(commands[0]).toMatchObject({ properties: { kept: 1 } });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'unsupported_value', path: 'properties.bad' }),
    ]);
  });
});
