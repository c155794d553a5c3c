import { describe, expect, test, vi } from 'vitest';
import { KmValidationError } from './errors.js';
import { isKmEvent, KM_EVENT } from './event.js';
import { parseEvent } from './parse-event.js';

// 2024-05-01T10:00:00Z, worked out by hand: 19844 days * 86400 + 10 * 3600.
const T = 1714557600;
const at = { timestamp: '2024-05-01T10:00:00Z' };

function refusal(input: unknown, options?: Parameters<typeof parseEvent>[1]) {
  try {
    parseEvent(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(KmValidationError);
    return error as KmValidationError;
  }
  throw new Error('expected parseEvent to refuse the input');
}

describe('input forms', () => {
  test('a plain object, its JSON text and its UTF-8 bytes parse to the same event', () => {
    const message = { type: 'track', userId: 'u1', event: 'Signed Up', messageId: 'm1', ...at };
    const text = JSON.stringify(message);
    const fromObject = parseEvent(message);
    expect(parseEvent(text)).toEqual(fromObject);
    expect(parseEvent(new TextEncoder().encode(text))).toEqual(fromObject);
    expect(fromObject).toMatchObject({ type: 'track', person: 'u1', event: 'Signed Up', time: T });
  });

  test('a JSON text with a byte-order mark parses', () => {
    expect(parseEvent('\uFEFF{"type":"page","anonymousId":"a","timestamp":0}').type).toBe('page');
  });

  test('text that is not JSON is refused as invalid_json', () => {
    const error = refusal('{"type": "track",');
    expect(error.code).toBe('invalid_json');
    expect(error.path).toBe('');
    expect(error.message).toMatch(/not JSON/);
  });

  test('bytes that are not UTF-8 are refused as invalid_json', () => {
    expect(refusal(new Uint8Array([0x7b, 0xff, 0x7d])).code).toBe('invalid_json');
  });

  test.each([[null], [42], [[{ type: 'track' }]], ['"text"']])(
    '%j is not a message and is refused as invalid_message',
    (input) => {
      const error = refusal(input);
      expect(error.code).toBe('invalid_message');
      expect(error.path).toBe('');
    },
  );

  test('a batch array gets a hint to parse each message', () => {
    expect(refusal([{ type: 'track' }]).message).toMatch(/each message/);
  });
});

describe('type', () => {
  test('is read case-insensitively', () => {
    expect(parseEvent({ type: 'Track', userId: 'u', event: 'E', ...at }).type).toBe('track');
    expect(parseEvent({ type: 'IDENTIFY', userId: 'u', ...at }).type).toBe('identify');
  });

  test.each([[undefined], ['click'], [3]])('%j is refused as unknown_type at "type"', (type) => {
    const error = refusal({ type, userId: 'u' });
    expect(error).toMatchObject({ code: 'unknown_type', path: 'type' });
    expect(error.message).toMatch(/identify, track, page, screen, alias or group/);
  });

  test('a pipeline envelope gets a hint to pass its message', () => {
    expect(refusal({ message: { type: 'track' }, destination: {} }).message).toMatch(
      /envelope: pass its message/,
    );
  });
});

describe('identity (rule 1)', () => {
  test('the person is userId when it is a non-empty string', () => {
    const event = parseEvent({ type: 'identify', userId: 'u1', anonymousId: 'a1', ...at });
    expect(event).toMatchObject({ userId: 'u1', anonymousId: 'a1', person: 'u1' });
  });

  test('a numeric userId is stringified', () => {
    expect(parseEvent({ type: 'identify', userId: 42, ...at }).person).toBe('42');
  });

  test.each([[''], ['   '], ['\u00A0\u2003\t'], [null], [Number.NaN], [Number.POSITIVE_INFINITY]])(
    'a userId of %j falls back to anonymousId',
    (userId) => {
      const event = parseEvent({ type: 'identify', userId, anonymousId: 'a1', ...at });
      expect(event.person).toBe('a1');
      expect(event.userId).toBeUndefined();
    },
  );

  test('a userId that is an object or a boolean is ignored with an invalid_field warning', () => {
    const event = parseEvent({ type: 'identify', userId: { id: 1 }, anonymousId: 'a1', ...at });
    expect(event.person).toBe('a1');
    expect(event.warnings).toEqual([
      expect.objectContaining({ code: 'invalid_field', path: 'userId' }),
    ]);
    const flag = parseEvent({ type: 'identify', userId: true, anonymousId: 'a1', ...at });
    expect(flag.warnings[0]).toMatchObject({ code: 'invalid_field', path: 'userId' });
  });

  test('a NaN userId is reported, since a value was given and not used', () => {
    const event = parseEvent({ type: 'identify', userId: Number.NaN, anonymousId: 'a', ...at });
    expect(event.warnings).toEqual([
      expect.objectContaining({ code: 'invalid_field', path: 'userId' }),
    ]);
  });

  test('without userId or anonymousId a cloud event is refused as missing_identity', () => {
    const error = refusal({ type: 'track', event: 'E', ...at });
    expect(error).toMatchObject({ code: 'missing_identity', path: 'userId' });
    expect(error.message).toMatch(/userId/);
    expect(error.message).toMatch(/anonymousId/);
  });

  test('in device mode an event without identity is valid and has no person', () => {
    const event = parseEvent({ type: 'track', event: 'E', ...at }, { mode: 'device' });
    expect(event.person).toBeUndefined();
  });

  test('an identity over 255 characters is refused as name_too_long', () => {
    expect(parseEvent({ type: 'identify', userId: 'u'.repeat(255), ...at }).person).toHaveLength(
      255,
    );
    expect(refusal({ type: 'identify', userId: 'u'.repeat(256), ...at })).toMatchObject({
      code: 'name_too_long',
      path: 'userId',
    });
    expect(refusal({ type: 'identify', anonymousId: 'a'.repeat(256), ...at })).toMatchObject({
      code: 'name_too_long',
      path: 'anonymousId',
    });
  });

  test('an over-long anonymousId next to a good userId is dropped with a warning', () => {
    const event = parseEvent({
      type: 'identify',
      userId: 'u',
      anonymousId: 'a'.repeat(300),
      ...at,
    });
    expect(event.person).toBe('u');
    expect(event.anonymousId).toBeUndefined();
    expect(event.warnings[0]).toMatchObject({ code: 'invalid_field', path: 'anonymousId' });
  });

  test('the name limit counts code points, so 255 emoji fit', () => {
    const userId = '😀'.repeat(255);
    expect(parseEvent({ type: 'identify', userId, ...at }).person).toBe(userId);
  });

  test('a lone surrogate in an id is replaced by U+FFFD with a malformed_string warning', () => {
    const event = parseEvent({ type: 'identify', userId: 'a\uD800b', ...at });
    expect(event.person).toBe('a\uFFFDb');
    expect(event.warnings[0]).toMatchObject({ code: 'malformed_string', path: 'userId' });
  });
});

describe('time (rule 2)', () => {
  const base = { type: 'identify', userId: 'u' };

  test.each([
    ['an ISO string', '2024-05-01T10:00:00Z', T],
    ['an ISO string with milliseconds, floored', '2024-05-01T10:00:00.999Z', T],
    ['an ISO string with an offset', '2024-05-01T12:00:00+02:00', T],
    ['an ISO string without offset, read as UTC', '2024-05-01T10:00:00', T],
    ['a Date', new Date(Date.UTC(2024, 4, 1, 10)), T],
    ['epoch seconds', T, T],
    ['epoch seconds with a fraction, floored', T + 0.7, T],
    ['epoch milliseconds', T * 1000 + 500, T],
    ['epoch seconds as text', String(T), T],
    ['epoch milliseconds as text', `${T * 1000}`, T],
  ])('timestamp as %s gives whole Unix seconds', (_, timestamp, expected) => {
    expect(parseEvent({ ...base, timestamp }).time).toBe(expected);
  });

  test('originalTimestamp is used when there is no timestamp', () => {
    expect(parseEvent({ ...base, originalTimestamp: '2024-05-01T10:00:00Z' }).time).toBe(T);
  });

  test('timestamp wins over originalTimestamp', () => {
    const event = parseEvent({ ...base, timestamp: T, originalTimestamp: T - 50 });
    expect(event.time).toBe(T);
  });

  test('without a timestamp the clock is used, and only then', () => {
    const now = vi.fn(() => T * 1000 + 1);
    expect(parseEvent(base, { now }).time).toBe(T);
    expect(now).toHaveBeenCalledTimes(1);
    now.mockClear();
    parseEvent({ ...base, timestamp: T }, { now });
    expect(now).not.toHaveBeenCalled();
  });

  test('the clock may be given as milliseconds or a Date', () => {
    expect(parseEvent(base, { now: T * 1000 }).time).toBe(T);
    expect(parseEvent(base, { now: new Date(T * 1000) }).time).toBe(T);
  });

  test('an unparseable timestamp falls back to the clock with an invalid_timestamp warning', () => {
    const event = parseEvent({ ...base, timestamp: 'yesterday' }, { now: T * 1000 });
    expect(event.time).toBe(T);
    expect(event.warnings).toEqual([
      expect.objectContaining({ code: 'invalid_timestamp', path: 'timestamp' }),
    ]);
    expect(event.warnings[0]!.message).toMatch(/clock/);
  });

  test('an unparseable timestamp falls back to a good originalTimestamp, with a warning', () => {
    const event = parseEvent(
      { ...base, timestamp: 'soon', originalTimestamp: T },
      { now: () => 0 },
    );
    expect(event.time).toBe(T);
    expect(event.warnings[0]).toMatchObject({ code: 'invalid_timestamp', path: 'timestamp' });
    expect(event.warnings[0]!.message).toMatch(/originalTimestamp/);
  });

  test.each([[{}], [true], [-5], ['2024-02-30T00:00:00Z'], [new Date(Number.NaN)]])(
    '%j is not a time',
    (timestamp) => {
      const event = parseEvent({ ...base, timestamp }, { now: T * 1000 });
      expect(event.time).toBe(T);
      expect(event.warnings[0]?.code).toBe('invalid_timestamp');
    },
  );

  test('a clock that gives no time is refused as invalid_option', () => {
    expect(refusal(base, { now: () => Number.NaN })).toMatchObject({
      code: 'invalid_option',
      path: 'now',
    });
  });
});

describe('messageId', () => {
  test('is kept when given', () => {
    expect(parseEvent({ type: 'identify', userId: 'u', messageId: 'm-1', ...at }).messageId).toBe(
      'm-1',
    );
  });

  test('is generated with generateId when absent', () => {
    const event = parseEvent(
      { type: 'identify', userId: 'u', ...at },
      { generateId: () => 'id-7' },
    );
    expect(event.messageId).toBe('id-7');
  });

  test('is a random UUID by default', () => {
    const first = parseEvent({ type: 'identify', userId: 'u', ...at }).messageId;
    const second = parseEvent({ type: 'identify', userId: 'u', ...at }).messageId;
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first).not.toBe(second);
  });
});

describe('kinds', () => {
  test('a track needs an event name', () => {
    for (const event of [undefined, '', '  ', null]) {
      expect(refusal({ type: 'track', userId: 'u', event, ...at })).toMatchObject({
        code: 'missing_event_name',
        path: 'event',
      });
    }
  });

  test('an event name that is not a string is refused, never stringified', () => {
    expect(refusal({ type: 'track', userId: 'u', event: 42, ...at })).toMatchObject({
      code: 'invalid_event_name',
      path: 'event',
      message: 'event is 42, not text: pass the event\'s name as a string, e.g. "Signed Up"',
    });
    for (const event of [404n, true, {}, ['Signed Up'], () => 'x']) {
      expect(refusal({ type: 'track', userId: 'u', event, ...at })).toMatchObject({
        code: 'invalid_event_name',
        path: 'event',
      });
    }
  });

  test('a message without identity is refused with the kind named in good grammar', () => {
    expect(refusal({ type: 'identify', traits: { plan: 'pro' }, ...at }).message).toMatch(
      /^an identify needs an identity/,
    );
    expect(refusal({ type: 'track', event: 'Paid', ...at }).message).toMatch(
      /^a track needs an identity/,
    );
  });

  test('an event name over 255 characters is refused, never truncated', () => {
    const error = refusal({ type: 'track', userId: 'u', event: 'e'.repeat(256), ...at });
    expect(error).toMatchObject({ code: 'name_too_long', path: 'event' });
    expect(error.message).toMatch(/refuses rather than truncates/);
  });

  test('the name limit is configurable', () => {
    const options = { limits: { nameLength: 5 } };
    expect(refusal({ type: 'track', userId: 'u', event: 'Signed', ...at }, options).code).toBe(
      'name_too_long',
    );
    expect(
      refusal({ type: 'track', userId: 'u', event: 'E', ...at }, { limits: { nameLength: 0 } }),
    ).toMatchObject({
      code: 'invalid_option',
      path: 'limits.nameLength',
    });
  });

  test('identify reads traits, else context.traits', () => {
    const traits = { plan: 'Pro' };
    expect(parseEvent({ type: 'identify', userId: 'u', traits, ...at })).toMatchObject({ traits });
    expect(parseEvent({ type: 'identify', userId: 'u', context: { traits }, ...at })).toMatchObject(
      { traits },
    );
  });

  test('page and screen read name, and category from category else properties.category', () => {
    const page = parseEvent({
      type: 'page',
      anonymousId: 'a',
      name: 'Pricing',
      properties: { category: 'Docs' },
      ...at,
    });
    expect(page).toMatchObject({ name: 'Pricing', category: 'Docs' });
    const screen = parseEvent({
      type: 'screen',
      anonymousId: 'a',
      category: 'Shop',
      properties: { category: 'ignored' },
      ...at,
    });
    expect(screen).toMatchObject({ name: undefined, category: 'Shop' });
  });

  test('an alias resolves previousId, else anonymousId, and its person is that id', () => {
    expect(
      parseEvent({ type: 'alias', userId: 'new', previousId: 'old', anonymousId: 'a', ...at }),
    ).toMatchObject({ userId: 'new', previousId: 'old', person: 'old' });
    expect(parseEvent({ type: 'alias', userId: 'new', anonymousId: 'a', ...at })).toMatchObject({
      previousId: 'a',
      person: 'a',
    });
  });

  test('an alias without userId or without an earlier id is refused', () => {
    expect(refusal({ type: 'alias', previousId: 'old', ...at })).toMatchObject({
      code: 'missing_user_id',
      path: 'userId',
    });
    expect(refusal({ type: 'alias', userId: 'new', ...at })).toMatchObject({
      code: 'missing_previous_id',
      path: 'previousId',
    });
  });

  test('a group needs groupId; a numeric one is stringified', () => {
    expect(refusal({ type: 'group', userId: 'u', traits: {}, ...at })).toMatchObject({
      code: 'missing_group_id',
      path: 'groupId',
    });
    expect(parseEvent({ type: 'group', userId: 'u', groupId: 7, ...at })).toMatchObject({
      groupId: '7',
      traits: {},
    });
  });
});

describe('fields of the wrong type', () => {
  test.each([
    ['properties', 'a string', { type: 'track', event: 'E', properties: 'plan=pro' }],
    ['traits', [1, 2], { type: 'identify', traits: [1, 2] }],
    ['context', 42, { type: 'track', event: 'E', context: 42 }],
    ['properties', new Map([['a', 1]]), { type: 'page', properties: new Map([['a', 1]]) }],
  ])(
    '%s that is %j is ignored with an invalid_field warning, and the event goes on',
    (path, _, message) => {
      const event = parseEvent({ userId: 'u', ...at, ...message });
      expect(event.warnings).toEqual([expect.objectContaining({ code: 'invalid_field', path })]);
      expect(event[path as 'context']).toEqual({});
    },
  );

  test('a name or category that is not text is ignored with a warning', () => {
    const event = parseEvent({ type: 'page', userId: 'u', name: { a: 1 }, category: [], ...at });
    expect(event).toMatchObject({ name: undefined, category: undefined });
    expect(event.warnings.map((w) => w.path)).toEqual(['name', 'category']);
  });

  test('a getter that throws is reported as invalid_message naming the field', () => {
    const message = {
      type: 'track',
      event: 'E',
      get userId(): string {
        throw new Error('boom');
      },
    };
    expect(refusal(message)).toMatchObject({ code: 'invalid_message', path: 'userId' });
  });
});

describe('parsed events', () => {
  test('never change the input, and do not copy properties', () => {
    const properties = Object.freeze({ plan: 'Pro', nested: Object.freeze({ a: 1 }) });
    const message = Object.freeze({ type: 'track', userId: 'u', event: 'E', properties, ...at });
    const event = parseEvent(message);
    expect(event.type === 'track' && event.properties).toBe(properties);
  });

  test('are branded, and parsing one again returns it as it is', () => {
    const event = parseEvent({ type: 'identify', userId: 'u', ...at });
    expect(isKmEvent(event)).toBe(true);
    expect(event[KM_EVENT]).toBe(true);
    expect(parseEvent(event)).toBe(event);
    expect(isKmEvent({ ...event })).toBe(true);
    expect(isKmEvent(JSON.parse(JSON.stringify(event)))).toBe(false);
    expect(Object.keys(event)).not.toContain(String(KM_EVENT));
  });

  test('a device-mode event without identity cannot be used in cloud mode', () => {
    const event = parseEvent({ type: 'track', event: 'E', ...at }, { mode: 'device' });
    expect(refusal(event)).toMatchObject({ code: 'missing_identity' });
  });

  test('an unknown mode is refused as invalid_option', () => {
    expect(refusal({ type: 'identify', userId: 'u' }, { mode: 'server' as 'cloud' })).toMatchObject(
      { code: 'invalid_option', path: 'mode' },
    );
  });
});
