import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { toImportRecord } from '../encoding/import-record.js';
import { toKmq } from '../encoding/kmq.js';
import { parseTrackingRequest } from '../encoding/parse-tracking-request.js';
import { toTrackingRequest } from '../encoding/tracking-request.js';
import { CONTROL_PARAMETERS, type KmCommand, type KmWireCommand } from '../model/command.js';
import { isKmValidationError } from '../model/errors.js';
import { codePointLength } from '../model/limits.js';
import { type MapOptions, type MapResult, mapEvent } from './map-event.js';

// Property-based tests over arbitrary JSON-like input and worse: the mapping never throws
// anything but KmValidationError, never writes to a prototype, keeps every request within the
// limits, and what goes on the wire decodes back to exactly the cleaned properties.

const apiKey = 'key';
const runs = { numRuns: 150 };

const awkwardKeys = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '_p',
  '_t',
  '_n',
  '_k',
  'revenue',
  'total',
  'products',
  'Plan',
  'plan',
  'PLAN',
  'a,b',
  'c:d',
  'a.b',
  'Billing Amount',
  'id',
  '',
  '0',
  '1',
  'polluted',
);

const key = fc.oneof(
  { weight: 3, arbitrary: awkwardKeys },
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 250, maxLength: 300 }) },
);

const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ minLength: 500, maxLength: 700, unit: 'binary' }),
  fc.constantFrom('$19.99', '1,299.00', '-5', '19,99', '2024-05-01T10:00:00Z'),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
);

const { value: jsonLike } = fc.letrec<{ value: unknown; object: unknown; array: unknown }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('object'),
      tie('array'),
    ),
    object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    array: fc.array(tie('value'), { maxLength: 5 }),
  }),
);

const exotic = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  stringUnit: 'binary',
});

/**
 * An iterative copy of a generated value (fast-check's values must not be changed), with
 * `links` references added from containers to other containers: cycles, shared objects.
 */
function withLinks(value: unknown, links: readonly [number, number, string][]): unknown {
  const containers: object[] = [];
  const copies = new Map<object, object>();
  const copy = (source: unknown): unknown => {
    if (typeof source !== 'object' || source === null) return source;
    if (!Array.isArray(source) && Object.getPrototypeOf(source) !== Object.prototype) {
      if (Object.getPrototypeOf(source) !== null) return source;
    }
    const target: Record<string, unknown> = Array.isArray(source)
      ? ([] as unknown as Record<string, unknown>)
      : Object.create(Object.getPrototypeOf(source));
    copies.set(source, target);
    containers.push(target);
    return target;
  };
  const root = copy(value);
  const pending: object[] =
    typeof value === 'object' && value !== null && copies.has(value) ? [value] : [];
  while (pending.length > 0) {
    const source = pending.pop()!;
    const target = copies.get(source)!;
    for (const k of Object.keys(source)) {
      const item = (source as Record<string, unknown>)[k];
      const known = typeof item === 'object' && item !== null ? copies.get(item) : undefined;
      const next = known ?? copy(item);
      if (known === undefined && next !== item) pending.push(item as object);
      Object.defineProperty(target, k, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  for (const [from, to, name] of links) {
    if (containers.length === 0) break;
    const source = containers[from % containers.length]!;
    const target = containers[to % containers.length]!;
    // An array's length cannot hold an object.
    if (Array.isArray(source) && name === 'length') continue;
    Object.defineProperty(source, name, {
      value: target,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return root;
}

const linked = fc
  .tuple(fc.oneof(jsonLike, exotic), fc.array(fc.tuple(fc.nat(), fc.nat(), key), { maxLength: 3 }))
  .map(([value, links]) => withLinks(value, links));

const properties = fc.oneof(
  { weight: 4, arbitrary: linked },
  { weight: 1, arbitrary: fc.dictionary(key, leaf, { maxKeys: 40 }) },
);

const identity = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer(),
  fc.constantFrom('', '  ', 'a+b/c==', 'x'.repeat(300)),
  fc.constant(undefined),
  exotic,
);

const message = fc.record(
  {
    type: fc.constantFrom(
      'track',
      'identify',
      'page',
      'screen',
      'alias',
      'group',
      'Track',
      'PAGE',
      'bogus',
    ),
    userId: identity,
    anonymousId: identity,
    previousId: identity,
    groupId: identity,
    event: fc.oneof(fc.constantFrom('Order Completed', 'completed_order', 'Signed Up'), identity),
    name: fc.oneof(fc.string({ maxLength: 10 }), identity),
    category: fc.oneof(fc.string({ maxLength: 10 }), identity),
    properties,
    traits: properties,
    context: fc.oneof(properties, fc.record({ traits: properties })),
    timestamp: fc.oneof(fc.date({ noInvalidDate: false }), fc.integer(), fc.string(), fc.double()),
    originalTimestamp: fc.oneof(fc.date(), fc.integer({ min: 0 })),
    messageId: identity,
  },
  { requiredKeys: ['type'] },
);

// Valid orders, so revenue, total and product rows are exercised often.
const order = fc.record({
  type: fc.constant('track'),
  userId: fc.constantFrom('u1', 'a+b/c==', 'ü@example.com', '42'),
  event: fc.constantFrom('Order Completed', 'completed_order', 'Product Added'),
  timestamp: fc.integer({ min: 0, max: 2e9 }),
  properties: fc.record(
    {
      revenue: fc.oneof(leaf, fc.constantFrom('$1,299.00', '-5', '€ 3')),
      total: leaf,
      products: fc.oneof(
        { weight: 4, arbitrary: fc.array(fc.oneof(linked, leaf), { maxLength: 4 }) },
        { weight: 1, arbitrary: leaf },
      ),
      extra: linked,
    },
    { requiredKeys: [] },
  ),
});

const anyMessage = fc.oneof(message, order);

const options: fc.Arbitrary<MapOptions> = fc.record(
  {
    mode: fc.constantFrom('cloud', 'device'),
    preset: fc.constantFrom('default', 'rudderstack', 'segment'),
    prefixProperties: fc.boolean(),
    prefixSeparator: fc.constantFrom(' - ', '-', ':', ''),
    trackNamedPages: fc.boolean(),
    trackCategorizedPages: fc.boolean(),
    aliasOnIdentify: fc.boolean(),
    limits: fc.record({
      nameLength: fc.integer({ min: 1, max: 300 }),
      valueLength: fc.integer({ min: 1, max: 600 }),
    }),
  },
  { requiredKeys: [] },
);

function mapOrRefuse(input: unknown, mapOptions: MapOptions): MapResult | undefined {
  try {
    return mapEvent(input, { now: 1714557600000, generateId: () => 'generated', ...mapOptions });
  } catch (error) {
    if (!isKmValidationError(error)) throw error;
    // A refusal names its field and says what to do.
    expect(typeof error.path).toBe('string');
    expect(error.message.length).toBeGreaterThan(10);
    return undefined;
  }
}

const prototypeState = () =>
  [Object.prototype, Array.prototype, Function.prototype].map((p) =>
    Object.getOwnPropertyNames(p).join(','),
  );

function isWireCommand(command: KmCommand): command is KmWireCommand {
  return command.type === 'record' || command.type === 'set' || command.type === 'alias';
}

function foldedNames(names: readonly string[]): Set<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}

describe('mapEvent over arbitrary input', () => {
  test('never throws anything but KmValidationError, and never writes to a prototype', () => {
    const before = prototypeState();
    fc.assert(
      fc.property(fc.oneof(anyMessage, exotic, linked), options, (input, mapOptions) => {
        mapOrRefuse(input, mapOptions);
        expect(prototypeState()).toEqual(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      runs,
    );
  });

  test('every command stays within the limits and names no control parameter', () => {
    fc.assert(
      fc.property(anyMessage, options, (input, mapOptions) => {
        const result = mapOrRefuse(input, mapOptions);
        if (result === undefined) return;
        const nameLength = mapOptions.limits?.nameLength ?? 255;
        const valueLength = mapOptions.limits?.valueLength ?? 512;
        for (const warning of result.warnings) {
          expect(typeof warning.code).toBe('string');
          expect(typeof warning.path).toBe('string');
          expect(typeof warning.message).toBe('string');
        }
        for (const command of result.commands) {
          if (command.type === 'record') {
            expect(codePointLength(command.event)).toBeLessThanOrEqual(nameLength);
          }
          if ('person' in command && command.person !== undefined) {
            expect(codePointLength(command.person)).toBeLessThanOrEqual(nameLength);
          }
          if ('time' in command && command.time !== undefined) {
            expect(Number.isSafeInteger(command.time)).toBe(true);
          }
          if (command.type !== 'record' && command.type !== 'set') continue;
          const names = Object.keys(command.properties);
          expect(foldedNames(names).size).toBe(names.length);
          for (const name of names) {
            expect(name).not.toBe('');
            expect(name).not.toMatch(/[,:]/);
            expect(CONTROL_PARAMETERS.has(name)).toBe(false);
            expect(codePointLength(name)).toBeLessThanOrEqual(nameLength);
            const value = command.properties[name];
            if (typeof value === 'string') {
              expect(codePointLength(value)).toBeLessThanOrEqual(valueLength);
              expect(() => encodeURIComponent(value)).not.toThrow();
            } else if (typeof value === 'number') {
              expect(Number.isFinite(value)).toBe(true);
            } else {
              expect(typeof value).toBe('boolean');
            }
          }
        }
      }),
      runs,
    );
  });

  test('a request decodes back to exactly the cleaned properties, in order', () => {
    fc.assert(
      fc.property(anyMessage, options, (input, mapOptions) => {
        const result = mapOrRefuse(input, { ...mapOptions, mode: 'cloud' });
        if (result === undefined) return;
        for (const command of result.commands) {
          if (!isWireCommand(command)) throw new Error(`cloud mode made a ${command.type}`);
          const { params } = parseTrackingRequest(toTrackingRequest(command, { apiKey }));
          expect(params._p).toBe(command.person);
          if (command.type === 'alias') {
            expect(params._n).toBe(command.alias);
            continue;
          }
          if (command.type === 'record') expect(params._n).toBe(command.event);
          expect(params._t).toBe(String(command.time));
          const sent = Object.keys(params).filter((name) => !CONTROL_PARAMETERS.has(name));
          const cleaned = Object.keys(command.properties);
          expect(sent).toEqual(cleaned);
          for (const name of cleaned) expect(params[name]).toBe(String(command.properties[name]));
          expect(() => toImportRecord(command)).not.toThrow();
        }
      }),
      runs,
    );
  });

  test('device-mode commands always have a _kmq form', () => {
    fc.assert(
      fc.property(anyMessage, options, (input, mapOptions) => {
        const result = mapOrRefuse(input, { ...mapOptions, mode: 'device' });
        for (const command of result?.commands ?? []) expect(() => toKmq(command)).not.toThrow();
      }),
      runs,
    );
  });

  test('the input is never changed: deeply frozen input maps without error', () => {
    const deepFreeze = (value: unknown) => {
      const pending = [value];
      while (pending.length > 0) {
        const item = pending.pop();
        if (typeof item !== 'object' || item === null || Object.isFrozen(item)) continue;
        if (ArrayBuffer.isView(item)) continue;
        Object.freeze(item);
        for (const k of Object.keys(item)) pending.push((item as Record<string, unknown>)[k]);
      }
      return value;
    };
    fc.assert(
      fc.property(anyMessage, options, (input, mapOptions) => {
        // A write to a frozen object throws in strict mode, which the mapping would let through.
        mapOrRefuse(deepFreeze(withLinks(input, [])), mapOptions);
      }),
      { numRuns: 60 },
    );
  });

  test('deeply nested objects and arrays map without a stack overflow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2_000, max: 20_000 }),
        fc.constantFrom('object', 'array', 'mixed'),
        leaf,
        (depth, shape, end) => {
          let nested: unknown = end;
          for (let i = 0; i < depth; i++) {
            nested =
              shape === 'object' || (shape === 'mixed' && i % 2 === 0) ? { k: nested } : [nested];
          }
          const result = mapEvent({
            type: 'track',
            userId: 'u',
            event: 'E',
            timestamp: 0,
            properties: { nested, list: [nested], kept: 1 },
          });
          expect(result.commands[0]).toMatchObject({ properties: { kept: 1 } });
        },
      ),
      { numRuns: 20 },
    );
  });
});
