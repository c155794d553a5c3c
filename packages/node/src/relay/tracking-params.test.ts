import { parseTrackingRequest, toTrackingRequest } from '@kmkit/core';
import { describe, expect, test } from 'vitest';
import { checkParams, encodeParams, type ParamLimits } from './tracking-params.js';

const limits: ParamLimits = {
  apiKeys: new Set(['key']),
  nameLength: 255,
  valueLength: 512,
  maxParameters: 256,
};
const NOW = Date.UTC(2024, 4, 1, 12); // 1714564800 s
const visitor = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux) Chrome/143' };

/** What the browser's cloud mode sends for a command, split as the relay receives it. */
function fromBrowser(...args: Parameters<typeof toTrackingRequest>) {
  const request = toTrackingRequest(...args);
  const url = new URL(request.url);
  return { path: url.pathname.slice(-2), query: url.search.slice(1), body: request.body ?? '' };
}

const check = (path: '/e' | '/s' | '/a', query: string, body = '', who = visitor) =>
  checkParams(path, query, body, limits, who, NOW);

describe('reading a browser request', () => {
  test('keeps every parameter of a kmkit request, Base64 identity included, and adds _ip and _ua', () => {
    const sent = fromBrowser(
      {
        type: 'record',
        person: 'a+b/c==',
        event: 'Signed Up',
        time: 1_714_564_700,
        properties: { plan: 'pro & co', 'a=b': 'x+y', count: 3 },
      },
      { apiKey: 'key', endpoint: 'https://site.example/km' },
    );
    const checked = check('/e', sent.query);
    expect(checked).toEqual({
      path: '/e',
      params: [
        ['_k', 'key'],
        ['_p', 'a+b/c=='],
        ['_n', 'Signed Up'],
        ['_t', '1714564700'],
        ['_d', '1'],
        ['plan', 'pro & co'],
        ['a=b', 'x+y'],
        ['count', '3'],
        ['_ip', '203.0.113.7'],
        ['_ua', visitor.userAgent],
      ],
      adjustments: [],
      ip: '203.0.113.7',
    });
    // Encoded again, Kissmetrics reads the same values the page sent.
    const again = parseTrackingRequest({
      url: `https://trk.kissmetrics.io/e?${encodeParams('params' in checked ? checked.params : [])}`,
    });
    expect(again.params).toMatchObject({ _p: 'a+b/c==', plan: 'pro & co', 'a=b': 'x+y' });
  });

  test('reads a form body (a long request, a beacon) merged with the query', () => {
    const sent = fromBrowser(
      { type: 'set', person: 'bob', time: 1_714_564_700, properties: { bio: 'x'.repeat(3000) } },
      { apiKey: 'key', maxQueryBytes: 2048 },
    );
    expect(sent.query).toBe('');
    const checked = check('/s', '', sent.body);
    expect('params' in checked && Object.fromEntries(checked.params)).toMatchObject({
      _k: 'key',
      _p: 'bob',
      bio: 'x'.repeat(512),
    });
    // The value was over Kissmetrics' 512 characters: cut, as kmkit's mapping cuts it.
    expect('adjustments' in checked && checked.adjustments).toEqual([
      'property "bio" was cut to 512 characters',
    ]);
  });

  test('an alias carries only what /a reads: no _t, no _ip or _ua added', () => {
    const sent = fromBrowser(
      { type: 'alias', person: 'anon-1', alias: 'bob@example.com' },
      { apiKey: 'key' },
    );
    expect(check('/a', sent.query)).toEqual({
      path: '/a',
      params: [
        ['_k', 'key'],
        ['_p', 'anon-1'],
        ['_n', 'bob@example.com'],
      ],
      adjustments: [],
      ip: undefined,
    });
  });

  test("the page's own _ip and _ua win over the visitor's", () => {
    const checked = check(
      '/e',
      '_k=key&_p=bob&_n=Paid&_t=1714564700&_d=1&_ip=198.51.100.1&_ua=bot',
    );
    expect('params' in checked && checked.params.slice(-2)).toEqual([
      ['_ip', '198.51.100.1'],
      ['_ua', 'bot'],
    ]);
    expect('ip' in checked && checked.ip).toBe('198.51.100.1');
  });

  test('a request without _t gets the time it arrived, so every resend of the relay is the same event', () => {
    const checked = check('/e', '_k=key&_p=bob&_n=Paid');
    expect('params' in checked && Object.fromEntries(checked.params)).toMatchObject({
      _t: '1714564800',
      _d: '1',
    });
  });

  test('a property name over 255 characters is dropped and the rest kept', () => {
    const long = 'n'.repeat(256);
    const checked = check('/e', `_k=key&_p=bob&_n=Paid&${long}=1&kept=2`);
    expect('params' in checked && Object.fromEntries(checked.params)).toMatchObject({ kept: '2' });
    expect('params' in checked && checked.params.some(([key]) => key === long)).toBe(false);
    expect('adjustments' in checked && checked.adjustments).toHaveLength(1);
  });

  test('a property given twice keeps its last value; a control parameter twice must agree', () => {
    const same = check('/e', '_k=key&_p=bob&_n=Paid&plan=a', '_k=key&plan=b');
    expect('params' in same && Object.fromEntries(same.params)).toMatchObject({ plan: 'b' });
  });
});

describe('refusing what kmkit never sends', () => {
  test.each([
    ['another API key', '/e', '_k=other&_p=bob&_n=Paid', 'unknown_api_key'],
    ['no API key', '/e', '_p=bob&_n=Paid', 'missing_api_key'],
    [
      'a second _k naming another product',
      '/e',
      '_k=key&_p=bob&_n=Paid&_k=other',
      'duplicate_parameter',
    ],
    ['no person', '/e', '_k=key&_n=Paid', 'missing_identity'],
    ['an event without a name', '/e', '_k=key&_p=bob', 'missing_event_name'],
    ['an alias without its second identity', '/a', '_k=key&_p=bob', 'missing_alias'],
    ['a person over 255 characters', '/e', `_k=key&_p=${'p'.repeat(256)}&_n=Paid`, 'name_too_long'],
    ['a control character in the person', '/s', '_k=key&_p=bo%00b', 'invalid_name'],
    ['a time in milliseconds', '/e', '_k=key&_p=bob&_n=Paid&_t=1714564800000&_d=1', 'invalid_time'],
    ['a time without _d=1', '/e', '_k=key&_p=bob&_n=Paid&_t=1714564800', 'invalid_time'],
    ['a broken escape', '/e', '_k=key&_p=bob&_n=Paid&plan=%ZZ', 'malformed_request'],
    ['invalid UTF-8', '/e', '_k=key&_p=%FF%FE&_n=Paid', 'malformed_request'],
  ] as const)('refuses %s (%s)', (_what, path, query, reason) => {
    expect(check(path, query)).toMatchObject({ reason });
  });

  test('refuses more than maxParameters parameters, counting query and body together', () => {
    const many = Array.from({ length: 200 }, (_, index) => `p${index}=1`).join('&');
    expect(check('/e', `_k=key&_p=bob&_n=Paid&${many}`, many)).toMatchObject({
      reason: 'too_many_parameters',
    });
    expect(check('/e', `_k=key&_p=bob&_n=Paid&${many}`)).toHaveProperty('params');
  });
});
