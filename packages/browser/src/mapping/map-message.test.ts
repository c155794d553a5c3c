import {
  CONTROL_PARAMETERS,
  isKmValidationError,
  type KmMode,
  type MapOptions,
  type MappingPreset,
  mapEvent,
} from '@kmkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapMessage } from './map-message.js';
import { resolveMapping } from './resolve-mapping.js';

// The browser maps with its own, smaller code (`mapMessage`); `@kmkit/core`'s `mapEvent` is the
// reference. The same generated messages go through both, in both modes, with every preset and
// naming option: the commands (names, values, their order), the warnings' codes and paths, and the
// errors' codes and paths must be the same.

const NOW = Date.UTC(2024, 4, 1, 10, 0, 0, 250);

const awkwardKey = fc.constantFrom(
  ...CONTROL_PARAMETERS,
  '__proto__',
  'constructor',
  'toString',
  '_q',
  'revenue',
  'total',
  'products',
  'category',
  'Plan',
  'plan',
  'a,b',
  'c:d',
  'a.b',
  'Billing Amount',
  'billing amount',
  'id',
  'Group - id',
  '',
  '0',
  '1',
  'url',
);

const key = fc.oneof(
  { weight: 4, arbitrary: awkwardKey },
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 20, maxLength: 40 }) },
);

const leaf = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.string({ minLength: 30, maxLength: 60 }),
  fc.constantFrom('$19.99', '1,299.00', '-5', '19,99', '0', '2024-05-01T10:00:00Z', '  '),
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

const { object: jsonObject } = fc.letrec<{
  value: unknown;
  object: Record<string, unknown>;
  array: unknown[];
}>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 4 }),
}));

const exotic = fc.anything({
  maxDepth: 2,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

// User code the mapping meets: getters that throw, classes, objects that refer to themselves.
class Money {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}
}
const hostile = fc.constantFrom(
  () => ({
    ok: 1,
    get broken(): never {
      throw new Error('getter');
    },
  }),
  () => {
    const self: Record<string, unknown> = { name: 'loop' };
    self.self = self;
    self.list = [self, { deeper: self }];
    return self;
  },
  () => new Money(3, 'EUR'),
  () => ({ toJSON: () => ({ from: 'toJSON' }) }),
  () => ({ a: { b: { c: { d: { e: 'deep' } } } } }),
);

// Lists of primitives long enough to pass small value limits, with non-finite numbers after the
// point where the joined text is surely over the limit (where reading stops).
const longList = fc.array(
  fc.oneof(fc.string({ minLength: 3, maxLength: 30 }), fc.constantFrom(Number.NaN, -Infinity, 7)),
  { minLength: 2, maxLength: 10 },
);

const properties = fc.oneof(
  { weight: 6, arbitrary: jsonObject },
  { weight: 1, arbitrary: fc.dictionary(key, longList, { minKeys: 1, maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.dictionary(key, exotic, { maxKeys: 4 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(jsonObject, hostile).map(([object, make]) => ({ ...object, x: make() })),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, 'text', 12, [1, 2]) },
  // Keys the mapping reads by name, inherited rather than own: they are not the caller's.
  {
    weight: 1,
    arbitrary: jsonObject.map((object) =>
      Object.assign(
        Object.create({
          revenue: 12,
          total: 3,
          products: [{ sku: 1 }],
          url: 'https://inherited.example/',
          referrer: 'https://ref.example/',
          category: 'Inherited',
        }),
        object,
      ),
    ),
  },
);

// Traits that repeat the id the mapping adds (`id` for Segment's identify, `Group - id`).
const traits = fc.oneof(
  { weight: 4, arbitrary: properties },
  {
    weight: 1,
    arbitrary: fc.constantFrom({ id: 'user-1' }, { ID: 'user-1', plan: 'pro' }, { id: 'acme' }),
  },
);

const withProducts = fc.tuple(
  properties,
  fc.oneof(
    fc.array(fc.oneof(jsonObject, fc.constantFrom(null, 3, 'x', [1])), { maxLength: 4 }),
    fc.constantFrom('not a list', 5, null),
  ),
  fc.option(fc.oneof(leaf, fc.constantFrom(12.5, '$1,299.00', 'free'))),
  fc.option(fc.oneof(leaf, fc.constant(99))),
  fc.option(fc.oneof(leaf, tieCategory())),
);
function tieCategory() {
  return fc.constantFrom('Shop', 'Docs', 7, Number.NaN, Number.POSITIVE_INFINITY, ' ');
}

const identity = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom('user-1', 'anon-1', 'bob@example.com', 'Zm9v+YmFy/cXV4='),
  },
  { weight: 1, arbitrary: fc.constantFrom(42, 0, '', '   ', null, undefined) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary' })) },
  { weight: 1, arbitrary: fc.constantFrom({ id: 1 }, Number.NaN, 10n, 'x'.repeat(300)) },
);

const name = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom('Signed Up', 'Order Completed', 'completed_order', 'home'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', null, 7, 'x'.repeat(260), '\ud800x') },
);

const timestamp = fc.oneof(
  fc.constantFrom(
    '2024-05-01T10:00:00Z',
    '2024-05-01T10:00:00.123Z',
    '2024-05-01 10:00:00',
    '2024-05-01t10:00z',
    '2024-05-01T10:00:00,5+02:00',
    '2024-05-01T10:00:00-0530',
    '2024-05-01T10:00:00+01',
    '2024-05-01',
    '2024-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-13-01',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:60:00Z',
    '2024-05-01T10:00:00+24:00',
    '1969-12-31T23:59:59Z',
    ' 1714557600 ',
    '1714557600123',
    '1714557600.5',
    'yesterday',
    '',
    -5,
    1714557600,
    1714557600123,
    Number.POSITIVE_INFINITY,
    new Date(Date.UTC(2024, 0, 2)),
    new Date(Number.NaN),
    null,
  ),
  fc.date({ min: new Date(0), noInvalidDate: true }),
  fc.integer({ min: 0, max: 2 ** 42 }),
  fc
    .date({ min: new Date(0), max: new Date(Date.UTC(9999, 0)), noInvalidDate: true })
    .map((date) => date.toISOString()),
);

const common = {
  userId: fc.option(identity, { nil: undefined }),
  anonymousId: fc.option(identity, { nil: undefined }),
  timestamp: fc.option(timestamp, { nil: undefined }),
  originalTimestamp: fc.option(timestamp, { nil: undefined }),
  messageId: fc.option(fc.constantFrom('m-1', 7, '', {}, null), { nil: undefined }),
  context: fc.option(
    fc.oneof(
      fc.record({ traits: fc.oneof(jsonObject, fc.constant(null)) }),
      fc.constantFrom('ctx', 3, null),
    ),
    { nil: undefined },
  ),
};

const message = fc.oneof(
  fc
    .record(
      {
        type: fc.constantFrom('track', 'TRACK', 'Track'),
        ...common,
        event: name,
        products: withProducts,
      },
      { requiredKeys: ['type', 'products'] },
    )
    .map(({ products: [props, products, revenue, total, category], ...rest }) => {
      const propertiesWithExtras =
        typeof props === 'object' && props !== null && !Array.isArray(props)
          ? {
              ...props,
              ...(products === null ? {} : { products }),
              ...(revenue === null ? {} : { revenue }),
              ...(total === null ? {} : { total }),
              ...(category === null ? {} : { category }),
            }
          : props;
      return { ...rest, properties: propertiesWithExtras };
    }),
  fc.record(
    {
      type: fc.constantFrom('page', 'screen'),
      ...common,
      name,
      category: fc.option(fc.oneof(name, tieCategory()), { nil: undefined }),
      properties: fc.oneof(
        properties,
        fc.record({
          category: tieCategory(),
          path: fc.constant('/p'),
          revenue: fc.constantFrom(5, '$5', 'free'),
          url: fc.oneof(leaf, fc.constant('https://shop.example/p')),
          referrer: fc.oneof(leaf, fc.constant('https://www.google.com/')),
        }),
      ),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('identify'), ...common, traits }, { requiredKeys: ['type'] }),
  fc.record(
    { type: fc.constant('alias'), ...common, previousId: fc.option(identity, { nil: undefined }) },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: fc.constant('group'),
      ...common,
      groupId: fc.oneof(identity, fc.constant('acme')),
      traits,
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constantFrom('unknown', 5, undefined), ...common }),
  // Not text: the browser takes message objects only (core also parses JSON text and bytes).
  fc.constantFrom(null, 3, [], new Map()),
);

const options = fc.record(
  {
    preset: fc.constantFrom<MappingPreset>('default', 'rudderstack', 'segment'),
    prefixProperties: fc.boolean(),
    prefixSeparator: fc.constantFrom(' - ', '-', ':'),
    trackNamedPages: fc.boolean(),
    trackCategorizedPages: fc.boolean(),
    aliasOnIdentify: fc.boolean(),
    recordPageView: fc.boolean(),
    limits: fc.record(
      { nameLength: fc.integer({ min: 3, max: 40 }), valueLength: fc.integer({ min: 1, max: 50 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['preset'] },
);

type Outcome =
  | { readonly commands: string; readonly warnings: string[] }
  | { readonly error: string };

// What a mapping gives, as comparable text: commands with their key order, codes and paths.
function outcome(run: () => { commands: unknown[]; warnings: { code: string; path: string }[] }) {
  try {
    const { commands, warnings } = run();
    return {
      commands: JSON.stringify(commands),
      warnings: warnings.map(({ code, path }) => `${code} at ${path}`),
    } satisfies Outcome;
  } catch (error) {
    if (!isKmValidationError(error)) throw error;
    return { error: `${error.code} at ${error.path}` } satisfies Outcome;
  }
}

function both(input: unknown, mapOptions: Omit<MapOptions, 'mode'>, mode: KmMode) {
  const core = outcome(() => mapEvent(input, { ...mapOptions, mode, now: NOW }));
  const browser = outcome(() => mapMessage(input, resolveMapping(mapOptions, mode), () => NOW));
  return { core, browser };
}

describe("the browser's mapping against @kmkit/core's", () => {
  for (const mode of ['cloud', 'device'] as const) {
    it(`gives the same commands, warnings and errors for any message, in ${mode} mode`, () => {
      fc.assert(
        fc.property(message, options, (input, mapOptions) => {
          const { core, browser } = both(input, mapOptions, mode);
          expect(browser).toEqual(core);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('agrees on the commands of well-formed events, where they are the most common', () => {
    const valid = fc.record({
      type: fc.constantFrom('track', 'page', 'screen', 'identify', 'group', 'alias'),
      userId: fc.constantFrom('user-1', 7),
      anonymousId: fc.constantFrom('anon-1', undefined),
      previousId: fc.constant('old-1'),
      event: fc.constantFrom('Order Completed', 'Signed Up'),
      name: fc.option(fc.constantFrom('Pricing', 'Cart'), { nil: undefined }),
      category: fc.option(fc.constantFrom('Shop', 'Docs'), { nil: undefined }),
      groupId: fc.constant('acme'),
      timestamp: fc.date({ min: new Date(0), noInvalidDate: true }),
      properties: jsonObject,
      traits: jsonObject,
    });
    fc.assert(
      fc.property(valid, options, fc.constantFrom<KmMode>('cloud', 'device'), (input, o, mode) => {
        const { core, browser } = both(input, { ...o, limits: undefined }, mode);
        expect('commands' in core).toBe(true);
        expect(browser).toEqual(core);
      }),
      { numRuns: 1000 },
    );
  });

  it('stops reading a list where core does, once its text is surely over the value limit', () => {
    // valueLength 4: reading stops once the text passes 2 * 4 + 2 = 10 UTF-16 units. "abcdefgh,k"
    // is 10, so the NaN after it is read and reported; "abcdefghi,k" is 11, so it is not.
    const warnings = (first: string) => {
      const input = {
        type: 'track',
        userId: 'u',
        event: 'E',
        properties: { list: [first, 'k', Number.NaN] },
      };
      const { core, browser } = both(input, { limits: { valueLength: 4 } }, 'cloud');
      expect(browser).toEqual(core);
      return (browser as { warnings: string[] }).warnings;
    };
    expect(warnings('abcdefgh')).toEqual([
      'non_finite_number at properties.list[2]',
      'value_truncated at properties.list',
    ]);
    expect(warnings('abcdefghi')).toEqual(['value_truncated at properties.list']);
  });

  it('gives the same commands for a hand-picked order in each preset (a readable example)', () => {
    const order = {
      type: 'track',
      userId: 'bob',
      event: 'Order Completed',
      timestamp: '2024-05-01T10:00:00Z',
      properties: {
        revenue: '$1,299.00',
        coupon: { code: 'SPRING' },
        products: [{ sku: 'KB-1', price: 1299 }],
      },
    };
    for (const preset of ['default', 'rudderstack', 'segment'] as const) {
      for (const mode of ['cloud', 'device'] as const) {
        const { core, browser } = both(order, { preset, prefixProperties: true }, mode);
        expect(browser).toEqual(core);
      }
    }
    expect(mapMessage(order, resolveMapping({}, 'cloud'), () => NOW).commands).toEqual([
      {
        type: 'record',
        person: 'bob',
        event: 'Order Completed',
        time: 1714557600,
        properties: { revenue: 1299, 'coupon.code': 'SPRING', 'Billing Amount': 1299 },
      },
      { type: 'set', person: 'bob', time: 1714557601, properties: { sku: 'KB-1', price: 1299 } },
    ]);
  });
});
