import { describe, expect, test, vi } from 'vitest';
import { toKmq } from '../encoding/kmq.js';
import { parseTrackingRequest } from '../encoding/parse-tracking-request.js';
import { toTrackingRequest } from '../encoding/tracking-request.js';
import { parseEvent } from '../model/parse-event.js';
import { mapEvent } from './map-event.js';

// Rules 1-3 and 5 of DESIGN.md: commands per kind in cloud and device modes.
const T = 1714557600;

function plain(commands: readonly object[]) {
  return commands.map((command) =>
    'properties' in command
      ? { ...command, properties: { ...(command.properties as object) } }
      : command,
  );
}

describe('track', () => {
  test('cloud mode records the event with person and time', () => {
    const { commands } = mapEvent({
      type: 'track',
      userId: 'u1',
      event: 'Signed Up',
      timestamp: T,
      properties: { plan: 'Pro' },
    });
    expect(plain(commands)).toEqual([
      { type: 'record', person: 'u1', event: 'Signed Up', time: T, properties: { plan: 'Pro' } },
    ]);
  });

  test('anonymousId is the person when there is no userId', () => {
    const { commands } = mapEvent({
      type: 'track',
      anonymousId: 'a+b/c==',
      event: 'E',
      timestamp: T,
    });
    expect(commands[0]).toMatchObject({ person: 'a+b/c==' });
  });

  test('device mode records without person and time', () => {
    const { commands } = mapEvent(
      {
        type: 'track',
        userId: 'u1',
        event: 'Signed Up',
        timestamp: T,
        properties: { plan: 'Pro' },
      },
      { mode: 'device' },
    );
    expect(plain(commands)).toEqual([
      { type: 'record', event: 'Signed Up', properties: { plan: 'Pro' } },
    ]);
  });

  test('prefixProperties prefixes keys with "<event> - "', () => {
    const { commands } = mapEvent(
      {
        type: 'track',
        userId: 'u',
        event: 'Signed Up',
        timestamp: T,
        properties: { plan: 'Pro', a: { b: 1 } },
      },
      { prefixProperties: true },
    );
    expect(plain(commands)[0]).toMatchObject({
      properties: { 'Signed Up - plan': 'Pro', 'Signed Up - a.b': 1 },
    });
  });
});

describe('identify', () => {
  const message = {
    type: 'identify',
    userId: 'bob@example.com',
    anonymousId: 'anon-1',
    timestamp: T,
    traits: { name: 'Bob', plan: 'Pro' },
  };

  test('cloud mode sets the traits on the user, then aliases the anonymous id to the user', () => {
    expect(plain(mapEvent(message).commands)).toEqual([
      { type: 'set', person: 'bob@example.com', time: T, properties: { name: 'Bob', plan: 'Pro' } },
      { type: 'alias', person: 'anon-1', alias: 'bob@example.com', time: T },
    ]);
  });

  test('no alias when aliasOnIdentify is off, the ids are equal, or one is missing', () => {
    expect(mapEvent(message, { aliasOnIdentify: false }).commands.map((c) => c.type)).toEqual([
      'set',
    ]);
    expect(
      mapEvent({ ...message, anonymousId: message.userId }).commands.map((c) => c.type),
    ).toEqual(['set']);
    expect(mapEvent({ ...message, anonymousId: undefined }).commands.map((c) => c.type)).toEqual([
      'set',
    ]);
  });

  test('device mode pushes identify then set, and no alias (the JS library aliases itself)', () => {
    expect(mapEvent(message, { mode: 'device' }).commands.map(toKmq)).toEqual([
      ['identify', 'bob@example.com'],
      ['set', { name: 'Bob', plan: 'Pro' }],
    ]);
  });

  test('no set is sent when no trait is left after cleaning', () => {
    const { commands, warnings } = mapEvent({
      ...message,
      traits: { gone: Number.NaN, none: null },
    });
    expect(commands.map((c) => c.type)).toEqual(['alias']);
    expect(warnings.map((w) => w.path)).toEqual(['traits.gone']);
  });

  test('traits from context.traits are reported on their own path', () => {
    const { commands, warnings } = mapEvent({
      type: 'identify',
      userId: 'u',
      timestamp: T,
      context: { traits: { age: Number.NaN, city: 'Brussels' } },
    });
    expect(plain(commands)[0]).toMatchObject({ properties: { city: 'Brussels' } });
    expect(warnings[0]).toMatchObject({ path: 'context.traits.age' });
  });

  test('traits are never prefixed', () => {
    const { commands } = mapEvent(message, { prefixProperties: true });
    expect(plain(commands)[0]).toMatchObject({ properties: { name: 'Bob', plan: 'Pro' } });
  });
});

describe('alias', () => {
  const message = { type: 'alias', userId: 'new-id', previousId: 'old-id', timestamp: T };

  test('cloud mode aliases previousId (the _p) to userId (the _n) at the event time', () => {
    expect(mapEvent(message).commands).toEqual([
      { type: 'alias', person: 'old-id', alias: 'new-id', time: T },
    ]);
  });

  test('anonymousId stands in for a missing previousId', () => {
    expect(
      mapEvent({ type: 'alias', userId: 'new-id', anonymousId: 'anon', timestamp: T }).commands,
    ).toEqual([{ type: 'alias', person: 'anon', alias: 'new-id', time: T }]);
  });

  test('device mode pushes ["alias", userId, previousId]', () => {
    const { commands } = mapEvent(message, { mode: 'device' });
    expect(commands).toEqual([{ type: 'alias', person: 'old-id', alias: 'new-id' }]);
    expect(commands.map(toKmq)).toEqual([['alias', 'new-id', 'old-id']]);
  });
});

describe('group', () => {
  test('sets every trait as "Group - <trait>" plus "Group - id"', () => {
    const { commands } = mapEvent({
      type: 'group',
      userId: 'u',
      groupId: 'acme',
      timestamp: T,
      traits: { name: 'Acme', plan: 'Enterprise', address: { city: 'Brussels' } },
    });
    expect(plain(commands)).toEqual([
      {
        type: 'set',
        person: 'u',
        time: T,
        properties: {
          'Group - name': 'Acme',
          'Group - plan': 'Enterprise',
          'Group - address.city': 'Brussels',
          'Group - id': 'acme',
        },
      },
    ]);
  });

  test('a trait "id" equal to groupId is not a collision; a different one is replaced', () => {
    const same = mapEvent({
      type: 'group',
      userId: 'u',
      groupId: 'g',
      timestamp: T,
      traits: { id: 'g' },
    });
    expect(same.warnings).toEqual([]);
    const other = mapEvent({
      type: 'group',
      userId: 'u',
      groupId: 'g',
      timestamp: T,
      traits: { id: 'x' },
    });
    expect(plain(other.commands)[0]).toMatchObject({ properties: { 'Group - id': 'g' } });
    expect(other.warnings.map((w) => [w.code, w.path])).toEqual([['key_collision', 'groupId']]);
  });

  test('device mode sets the group without person and time', () => {
    const { commands } = mapEvent(
      { type: 'group', groupId: 7, timestamp: T, traits: { name: 'Acme' } },
      { mode: 'device' },
    );
    expect(commands.map(toKmq)).toEqual([['set', { 'Group - name': 'Acme', 'Group - id': '7' }]]);
  });
});

describe('time on the wire (rule 2)', () => {
  test('every cloud record and set goes out with the event time as _t and _d=1', () => {
    const messages = [
      { type: 'track', event: 'E', properties: { products: [{ sku: 'a' }] } },
      { type: 'identify', traits: { plan: 'Pro' } },
      { type: 'page', name: 'Home' },
      { type: 'group', groupId: 'g' },
    ];
    const sent = messages.flatMap((message) =>
      mapEvent({ userId: 'u', timestamp: '2024-05-01T10:00:00Z', ...message }).commands.map(
        (command) => parseTrackingRequest(toTrackingRequest(command, { apiKey: 'k' })).params,
      ),
    );
    expect(sent.map((params) => [params._t, params._d])).toEqual([
      [String(T), '1'],
      [String(T + 1), '1'],
      [String(T), '1'],
      [String(T), '1'],
      [String(T), '1'],
    ]);
  });
});

describe('parsed input, warnings and options', () => {
  test('a parsed event is mapped as it is, without reading the clock again', () => {
    const event = parseEvent({ type: 'track', userId: 'u', event: 'E' }, { now: T * 1000 });
    const now = vi.fn(() => 0);
    expect(mapEvent(event, { now }).commands[0]).toMatchObject({ time: T });
    expect(now).not.toHaveBeenCalled();
  });

  test('the same raw input and clock give the same commands (the mapping is pure)', () => {
    const message = {
      type: 'track',
      userId: 'u',
      event: 'E',
      properties: { a: 1 },
      messageId: 'm',
    };
    expect(mapEvent(message, { now: 5_000 })).toEqual(mapEvent(message, { now: 5_000 }));
  });

  test('raw JSON text is mapped like the object', () => {
    const message = { type: 'track', userId: 'u', event: 'E', timestamp: T, properties: { a: 1 } };
    expect(plain(mapEvent(JSON.stringify(message)).commands)).toEqual(
      plain(mapEvent(message).commands),
    );
  });

  test('parse warnings come first, then the mapping warnings', () => {
    const { warnings } = mapEvent(
      { type: 'track', userId: 'u', event: 'E', timestamp: 'never', properties: { x: Number.NaN } },
      { now: T * 1000 },
    );
    expect(warnings.map((w) => w.code)).toEqual(['invalid_timestamp', 'non_finite_number']);
  });

  test('every warning has a code, a path and a message saying what happened', () => {
    const { warnings } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'E',
      timestamp: T,
      properties: { _p: 1, f: () => 1, long: 'x'.repeat(600) },
    });
    for (const warning of warnings) {
      expect(Object.keys(warning)).toEqual(['code', 'path', 'message']);
      expect(warning.path).toMatch(/^properties\./);
      expect(warning.message.length).toBeGreaterThan(20);
    }
  });

  test('a device-mode parsed event without identity is refused in cloud mode', () => {
    const event = parseEvent({ type: 'track', event: 'E', timestamp: T }, { mode: 'device' });
    expect(() => mapEvent(event)).toThrow(expect.objectContaining({ code: 'missing_identity' }));
    expect(mapEvent(event, { mode: 'device' }).commands).toHaveLength(1);
  });

  test.each([
    [{ preset: 'mixpanel' }, 'preset'],
    [{ prefixProperties: 'yes' }, 'prefixProperties'],
    [{ prefixSeparator: 3 }, 'prefixSeparator'],
    [{ trackNamedPages: 1 }, 'trackNamedPages'],
    [{ aliasOnIdentify: null }, 'aliasOnIdentify'],
  ])('the option %j is refused as invalid_option at %s', (options, path) => {
    expect(() =>
      mapEvent({ type: 'track', userId: 'u', event: 'E', timestamp: T }, options as never),
    ).toThrow(expect.objectContaining({ code: 'invalid_option', path }));
  });
});
