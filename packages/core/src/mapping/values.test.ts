import { describe, expect, test } from 'vitest';
import type { KmRecordCommand } from '../model/command.js';
import { mapEvent } from './map-event.js';

// Rule 6 (values) of DESIGN.md, observed through mapEvent's record properties and warnings.
function track(properties: unknown, options?: Parameters<typeof mapEvent>[1]) {
  const { commands, warnings } = mapEvent(
    { type: 'track', userId: 'u', event: 'E', timestamp: 1714557600, properties },
    options,
  );
  return { properties: { ...(commands[0] as KmRecordCommand).properties }, warnings };
}

describe('flattening', () => {
  test('nested objects are flattened with "." at any depth, no key lost', () => {
    const { properties, warnings } = track({
      user: { address: { city: 'Brussels', geo: { lat: 50.85 } }, plan: 'Pro' },
      top: 1,
    });
    expect(properties).toEqual({
      'user.address.city': 'Brussels',
      'user.address.geo.lat': 50.85,
      'user.plan': 'Pro',
      top: 1,
    });
    expect(warnings).toEqual([]);
  });

  test('siblings after a nested object are kept (unlike RudderStack device mode)', () => {
    expect(track({ a: { b: 1 }, c: 2, d: { e: { f: 3 } }, g: 4 }).properties).toEqual({
      'a.b': 1,
      c: 2,
      'd.e.f': 3,
      g: 4,
    });
  });

  test('nesting 100,000 levels deep does not overflow the stack', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const { properties, warnings } = track({ deep, kept: 'yes' });
    expect(properties).toEqual({ kept: 'yes' });
    // One warning where the names pass 255 characters, not one per level.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'name_too_long' });
    expect(warnings[0]!.path.startsWith('properties.deep.a.a.')).toBe(true);
  });

  test('a class instance is flattened through its own fields, as JSON.stringify would', () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
    }
    expect(track({ price: new Money(5, 'EUR') }).properties).toEqual({
      'price.amount': 5,
      'price.currency': 'EUR',
    });
  });

  test('a value with toJSON is sent as its JSON form (decimals, date-times)', () => {
    const decimal = { digits: [1, 9, 9, 9], toJSON: () => '19.99' };
    const withProto = Object.assign(Object.create({ toJSON: () => 42 }), { hidden: true });
    expect(track({ price: decimal, answer: withProto })).toEqual({
      properties: { price: '19.99', answer: 42 },
      warnings: [],
    });
  });
});

describe('arrays', () => {
  test('arrays of primitives are joined with ","', () => {
    expect(
      track({ tags: ['a', 'b', 'c'], ids: [1, 2, 3], flags: [true, false] }).properties,
    ).toEqual({
      tags: 'a,b,c',
      ids: '1,2,3',
      flags: 'true,false',
    });
  });

  test('null and undefined elements become empty strings, as Array.prototype.join does', () => {
    expect(track({ list: ['a', null, undefined, 'b'] }).properties).toEqual({ list: 'a,,,b' });
  });

  test('a NaN element is left empty with a non_finite_number warning on its index', () => {
    const { properties, warnings } = track({ list: [1, Number.NaN, 3] });
    expect(properties).toEqual({ list: '1,,3' });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'non_finite_number', path: 'properties.list[1]' }),
    ]);
  });

  test('arrays holding objects become JSON text', () => {
    expect(track({ items: [{ sku: 'A', qty: 2 }, 'x', [1, 2]] }).properties).toEqual({
      items: '[{"sku":"A","qty":2},"x",[1,2]]',
    });
  });

  test('in JSON text bigints are decimal strings and dates ISO strings', () => {
    const { properties } = track({ items: [{ id: 12345678901234567890n, at: new Date(0) }] });
    expect(properties).toEqual({
      items: '[{"id":"12345678901234567890","at":"1970-01-01T00:00:00.000Z"}]',
    });
  });

  test('values with no JSON form inside JSON text are left out with warnings on their paths', () => {
    const { properties, warnings } = track({
      items: [{ n: Number.POSITIVE_INFINITY, f: () => 1, u: undefined, keep: 1 }, Symbol('s')],
    });
    expect(properties).toEqual({ items: '[{"keep":1},null]' });
    expect(warnings.map(({ code, path }) => [code, path])).toEqual([
      ['non_finite_number', 'properties.items[0].n'],
      ['unsupported_value', 'properties.items[0].f'],
      ['unsupported_value', 'properties.items[1]'],
    ]);
  });

  test('arrays nested 100,000 deep become truncated JSON text without overflowing the stack', () => {
    const leaf = { x: 1 };
    let deep: unknown[] = [leaf];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const { properties, warnings } = track({ deep, again: leaf });
    expect(properties).toEqual({ deep: '['.repeat(512), 'again.x': 1 });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'value_truncated', path: 'properties.deep' }),
    ]);
  });

  test('an object left half-written in truncated JSON text is still sent where it recurs', () => {
    const item = { big: 'x'.repeat(2000), more: 1 };
    const { properties, warnings } = track({ list: [item], again: item });
    expect(properties).toEqual({
      list: `[{"big":"${'x'.repeat(503)}`,
      'again.big': 'x'.repeat(512),
      'again.more': 1,
    });
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['value_truncated', 'properties.list'],
      ['value_truncated', 'properties.again.big'],
    ]);
  });

  test('empty arrays and empty objects send nothing, without a warning', () => {
    expect(track({ a: [], b: {}, c: { d: {} }, e: 1 })).toEqual({
      properties: { e: 1 },
      warnings: [],
    });
  });

  test('typed arrays are joined like arrays of numbers', () => {
    expect(track({ bytes: new Uint8Array([1, 2, 255]) }).properties).toEqual({ bytes: '1,2,255' });
  });
});

describe('scalars', () => {
  test('booleans stay booleans and numbers stay numbers', () => {
    expect(track({ t: true, f: false, n: -1.5, z: 0 }).properties).toEqual({
      t: true,
      f: false,
      n: -1.5,
      z: 0,
    });
  });

  test('null and undefined are dropped without a warning', () => {
    expect(track({ a: null, b: undefined, c: 'kept' })).toEqual({
      properties: { c: 'kept' },
      warnings: [],
    });
  });

  test('NaN and infinities are dropped with non_finite_number', () => {
    const { properties, warnings } = track({
      a: Number.NaN,
      b: Number.POSITIVE_INFINITY,
      c: Number.NEGATIVE_INFINITY,
      d: 1,
    });
    expect(properties).toEqual({ d: 1 });
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['non_finite_number', 'properties.a'],
      ['non_finite_number', 'properties.b'],
      ['non_finite_number', 'properties.c'],
    ]);
  });

  test('functions and symbols are dropped with unsupported_value', () => {
    const { properties, warnings } = track({ f() {}, s: Symbol('x'), ok: 1 });
    expect(properties).toEqual({ ok: 1 });
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['unsupported_value', 'properties.f'],
      ['unsupported_value', 'properties.s'],
    ]);
  });

  test('a bigint becomes its decimal string', () => {
    expect(track({ big: 2n ** 70n }).properties).toEqual({ big: '1180591620717411303424' });
  });

  test('a Date becomes its ISO string; an Invalid Date is dropped with unsupported_value', () => {
    const { properties, warnings } = track({
      at: new Date(Date.UTC(2024, 4, 1, 10)),
      bad: new Date(Number.NaN),
    });
    expect(properties).toEqual({ at: '2024-05-01T10:00:00.000Z' });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'unsupported_value', path: 'properties.bad' }),
    ]);
  });

  test('boxed primitives are sent as their primitive', () => {
    const boxed = { s: new String('text'), n: new Number(3), b: new Boolean(false) };
    expect(track(boxed).properties).toEqual({ s: 'text', n: 3, b: false });
  });

  test('a Map or Set has no fields to send: dropped with unsupported_value', () => {
    const { properties, warnings } = track({ m: new Map([['a', 1]]), s: new Set([1]) });
    expect(properties).toEqual({});
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['unsupported_value', 'properties.m'],
      ['unsupported_value', 'properties.s'],
    ]);
  });

  test('a lone surrogate becomes U+FFFD with malformed_string', () => {
    const { properties, warnings } = track({ text: 'a\uDC00b', pair: '😀' });
    expect(properties).toEqual({ text: 'a\uFFFDb', pair: '😀' });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'malformed_string', path: 'properties.text' }),
    ]);
  });

  test('a getter that throws drops that value with unsupported_value; the rest goes out', () => {
    const properties = {
      ok: 1,
      get broken(): string {
        throw new Error('boom');
      },
    };
    const result = track(properties);
    expect(result.properties).toEqual({ ok: 1 });
    expect(result.warnings[0]).toMatchObject({
      code: 'unsupported_value',
      path: 'properties.broken',
    });
  });
});

describe('cycles', () => {
  test('a reference back to an enclosing object is cut with circular_reference', () => {
    const properties: Record<string, unknown> = { name: 'root', child: { label: 'c' } };
    (properties.child as Record<string, unknown>).parent = properties;
    const { properties: sent, warnings } = track(properties);
    expect(sent).toEqual({ name: 'root', 'child.label': 'c' });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'circular_reference', path: 'properties.child.parent' }),
    ]);
  });

  test('a cycle inside an array is left out of the JSON text', () => {
    const node: Record<string, unknown> = { id: 1 };
    node.self = node;
    const { properties, warnings } = track({ list: [node] });
    expect(properties).toEqual({ list: '[{"id":1}]' });
    expect(warnings[0]).toMatchObject({
      code: 'circular_reference',
      path: 'properties.list[0].self',
    });
  });

  test('the same object reached twice without a cycle is sent twice', () => {
    const shared = { v: 1 };
    expect(track({ a: shared, b: shared, list: [shared, shared] })).toEqual({
      properties: { 'a.v': 1, 'b.v': 1, list: '[{"v":1},{"v":1}]' },
      warnings: [],
    });
  });
});
