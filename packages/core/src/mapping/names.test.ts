import { describe, expect, test } from 'vitest';
import type { KmRecordCommand } from '../model/command.js';
import { mapEvent } from './map-event.js';

// Rule 6 (keys, reserved names, limits) of DESIGN.md and the Kissmetrics protocol notes.
function track(properties: unknown, options?: Parameters<typeof mapEvent>[1], event = 'E') {
  const { commands, warnings } = mapEvent(
    { type: 'track', userId: 'u', event, timestamp: 1714557600, properties },
    options,
  );
  const record = commands[0] as KmRecordCommand;
  return { properties: record.properties, warnings };
}

describe('keys', () => {
  test('"," and ":" in keys become spaces, as the Kissmetrics server does', () => {
    expect(track({ 'foo:bar,baz': 1, 'a:': { ',b': 2 } }).properties).toEqual({
      'foo bar baz': 1,
      'a . b': 2,
    });
  });

  test.each([
    ['_k'],
    ['_p'],
    ['_n'],
    ['_t'],
    ['_d'],
    ['_p2'],
    ['_c'],
    ['_u'],
    ['_x'],
    ['_ip'],
    ['_ua'],
  ])('a property named %s is dropped with reserved_key', (key) => {
    const { properties, warnings } = track({ [key]: 'x', kept: 1 });
    expect(properties).toEqual({ kept: 1 });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'reserved_key', path: `properties.${key}` }),
    ]);
  });

  test('other underscore names, and control names once prefixed, are ordinary', () => {
    expect(track({ _private: 1, _P: 2 }).properties).toEqual({ _private: 1, _P: 2 });
    expect(track({ _p: 'x' }, { prefixProperties: true }).properties).toEqual({ 'E - _p': 'x' });
  });

  test('__proto__, constructor and prototype are ordinary keys and nothing reaches a prototype', () => {
    const properties = JSON.parse(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":"p"}',
    );
    const { properties: sent } = track(properties);
    expect(Object.keys(sent)).toEqual([
      '__proto__.polluted',
      'constructor.prototype.polluted',
      'prototype',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const direct = track(JSON.parse('{"__proto__":"x","constructor":"y"}')).properties;
    expect(Object.keys(direct)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(direct, '__proto__')?.value).toBe('x');
  });

  test('two keys that are the same name ignoring case keep the later, with key_collision', () => {
    const { properties, warnings } = track({ Plan: 'Basic', plan: 'Pro' });
    expect(properties).toEqual({ plan: 'Pro' });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'key_collision', path: 'properties.plan' }),
    ]);
  });

  test('case is ignored beyond ASCII too', () => {
    const { properties, warnings } = track({ Été: 1, été: 2 });
    expect(properties).toEqual({ été: 2 });
    expect(warnings.map((w) => w.code)).toEqual(['key_collision']);
  });

  test('keys that meet after flattening or normalisation collide too', () => {
    const { properties, warnings } = track({ a: { b: 1 }, 'a.b': 2, 'x:y': 3, 'x,y': 4, 'X Y': 5 });
    expect(properties).toEqual({ 'a.b': 2, 'X Y': 5 });
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['key_collision', 'properties.a.b'],
      ['key_collision', 'properties.x,y'],
      ['key_collision', 'properties.X Y'],
    ]);
  });

  test('collisions are found among many properties too', () => {
    const properties: Record<string, number> = {};
    for (let i = 0; i < 50; i++) properties[`key${i}`] = i;
    properties.KEY7 = 700;
    properties.ÉTÉ = 1;
    properties.été = 2;
    const { properties: sent, warnings } = track(properties);
    expect(Object.keys(sent)).toHaveLength(51);
    expect(sent.KEY7).toBe(700);
    expect(sent.été).toBe(2);
    expect(warnings.map((w) => w.path)).toEqual(['properties.KEY7', 'properties.été']);
  });

  test('an empty property name is dropped with empty_name', () => {
    const { properties, warnings } = track({ '': 'x', ok: 1 });
    expect(properties).toEqual({ ok: 1 });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'empty_name', path: 'properties.' }),
    ]);
  });

  test('a lone surrogate in a key becomes U+FFFD with malformed_string', () => {
    const { properties, warnings } = track({ 'k\uD800': 1 });
    expect(properties).toEqual({ 'k\uFFFD': 1 });
    expect(warnings[0]).toMatchObject({ code: 'malformed_string' });
  });
});

describe('limits', () => {
  test('a name of 255 characters is kept; 256 is dropped with name_too_long', () => {
    const { properties, warnings } = track({ ['n'.repeat(255)]: 1, ['m'.repeat(256)]: 2 });
    expect(Object.keys(properties)).toEqual(['n'.repeat(255)]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'name_too_long', path: `properties.${'m'.repeat(256)}` }),
    ]);
  });

  test('the name limit applies to the final, prefixed name', () => {
    const key = 'k'.repeat(250);
    // "E - " is 4 characters: 254 fits, 255 + 1 does not.
    const { properties, warnings } = track(
      { [key]: 1, [`${key}xx`]: 2 },
      { prefixProperties: true },
    );
    expect(Object.keys(properties)).toEqual([`E - ${key}`]);
    expect(warnings.map((w) => w.code)).toEqual(['name_too_long']);
  });

  test('a value of 512 characters is kept; a longer one is cut to 512 with value_truncated', () => {
    const { properties, warnings } = track({ a: 'a'.repeat(512), b: 'b'.repeat(600) });
    expect(properties).toEqual({ a: 'a'.repeat(512), b: 'b'.repeat(512) });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'value_truncated', path: 'properties.b' }),
    ]);
  });

  test('limits count code points and never split a surrogate pair', () => {
    const { properties, warnings } = track({
      emoji: '😀'.repeat(512),
      more: `${'😀'.repeat(511)}ab`,
    });
    expect(properties.emoji).toBe('😀'.repeat(512));
    expect(properties.more).toBe(`${'😀'.repeat(511)}a`);
    expect(warnings.map((w) => w.path)).toEqual(['properties.more']);
  });

  test('joined arrays and JSON text are limited like any value', () => {
    const { properties } = track({ list: Array.from({ length: 1000 }, (_, i) => i) });
    expect(properties.list).toHaveLength(512);
    expect(String(properties.list).startsWith('0,1,2,3')).toBe(true);
  });

  test('limits are configurable', () => {
    const { properties, warnings } = track(
      { short: 'abcdef', longer_name: 1 },
      { limits: { nameLength: 8, valueLength: 3 } },
    );
    expect(properties).toEqual({ short: 'abc' });
    expect(warnings.map((w) => w.code)).toEqual(['value_truncated', 'name_too_long']);
  });

  test('a value limit that is not a positive integer is refused as invalid_option', () => {
    expect(() => track({}, { limits: { valueLength: 1.5 } })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'limits.valueLength' }),
    );
  });
});
