import { KmValidationError } from '@kmkit/core';
import { describe, expect, test } from 'vitest';
import { extractKmIdentity } from './extract-km-identity.js';

// The example answer of Tapstream's documentation (tapstream-protocol.md).
const DOCUMENTED = {
  hits: [
    {
      id: 1,
      tracker: 'javascript_tracker',
      created: 1388534400,
      custom_parameters: { km_identity: '5tyjk0zrrtnz5xdmcjzhso4bdyau=' },
    },
  ],
  events: [{ name: 'ios-myapp-install', created: 1388534522 }],
};

function hit(customParameters: Record<string, string>) {
  return { tracker: 'javascript_tracker', custom_parameters: customParameters };
}

describe('extractKmIdentity', () => {
  test("reads km_identity from the credited hit of Tapstream's documented answer", () => {
    expect(extractKmIdentity(DOCUMENTED)).toBe('5tyjk0zrrtnz5xdmcjzhso4bdyau=');
  });

  test('reads the same answer given as JSON text', () => {
    expect(extractKmIdentity(JSON.stringify(DOCUMENTED))).toBe('5tyjk0zrrtnz5xdmcjzhso4bdyau=');
  });

  test.each([
    ['an empty array', []],
    ['an empty body', ''],
    ['a blank body', ' \n'],
    ['JSON of an empty array', '[]'],
    ['no hits yet', { hits: [], events: [] }],
    ['null', null],
    ['undefined', undefined],
    ['text that is not JSON', '<html>'],
    ['JSON text of a string', '"km"'],
    ['a number', 42],
  ])('finds nothing in %s', (_, answer) => {
    expect(extractKmIdentity(answer)).toBeUndefined();
  });

  test("reads the summary's flattened hit_params", () => {
    const summary = {
      latest_deeplink: null,
      campaigns: ['spring'],
      hit_params: { km_identity: 'a+b/c=' },
    };
    expect(extractKmIdentity(summary)).toBe('a+b/c=');
  });

  test('reads a single hit handed over on its own', () => {
    expect(extractKmIdentity(hit({ km_identity: 'visitor-1' }))).toBe('visitor-1');
  });

  test('the oldest hit wins by default, the newest with hit: latest', () => {
    const answer = {
      hits: [hit({ km_identity: 'first' }), hit({ km_identity: 'second' })],
      events: [],
    };
    expect(extractKmIdentity(answer)).toBe('first');
    expect(extractKmIdentity(answer, { hit: 'latest' })).toBe('second');
  });

  test('a hit without the parameter (a campaign link before the visit) is passed over', () => {
    const answer = {
      hits: [
        hit({ utm_source: 'ad' }),
        hit({ km_identity: 'visitor' }),
        hit({ utm_source: 'mail' }),
      ],
      events: [],
    };
    expect(extractKmIdentity(answer)).toBe('visitor');
    expect(extractKmIdentity(answer, { hit: 'latest' })).toBe('visitor');
  });

  test.each([[''], ['undefined'], ['null'], ['  '], ['guest']])(
    'a placeholder identity %j is no identity',
    (value) => {
      expect(
        extractKmIdentity({ hits: [hit({ km_identity: value })], events: [] }),
      ).toBeUndefined();
    },
  );

  test('an identity over 255 characters is no identity', () => {
    expect(extractKmIdentity({ hits: [hit({ km_identity: 'x'.repeat(256) })] })).toBeUndefined();
    expect(extractKmIdentity({ hits: [hit({ km_identity: 'x'.repeat(255) })] })).toHaveLength(255);
  });

  test('reads another parameter with identityParameter', () => {
    const answer = { hits: [hit({ km_identity: 'a', kmid: 'b' })], events: [] };
    expect(extractKmIdentity(answer, { identityParameter: 'kmid' })).toBe('b');
  });

  test('does not read inherited keys or malformed hits', () => {
    expect(extractKmIdentity({ hits: [null, 7, { custom_parameters: 'x' }] })).toBeUndefined();
    expect(
      extractKmIdentity({ hits: [hit({})] }, { identityParameter: 'toString' }),
    ).toBeUndefined();
    expect(
      extractKmIdentity({ hits: [{ custom_parameters: { km_identity: 42 } }] }),
    ).toBeUndefined();
  });

  test('an answer whose getters throw is no identity, not an error', () => {
    const hostile = {
      get hits(): never {
        throw new Error('boom');
      },
    };
    expect(extractKmIdentity(hostile)).toBeUndefined();
  });

  test('a bad option is refused with the option named', () => {
    expect(() => extractKmIdentity({}, { identityParameter: '' })).toThrow(KmValidationError);
    expect(() => extractKmIdentity({}, { hit: 'first' as never })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'hit' }),
    );
  });
});
