import { describe, expect, test } from 'vitest';
import { KmValidationError } from '../model/errors.js';
import { parseTrackingRequest } from './parse-tracking-request.js';
import { toTrackingRequest } from './tracking-request.js';

const apiKey = 'abc123';

describe('toTrackingRequest', () => {
  test('a record becomes a GET on /e with _k, _p, _n, _t, _d=1 and the properties', () => {
    const request = toTrackingRequest(
      {
        type: 'record',
        person: 'bob@example.com',
        event: 'Signed Up',
        time: 1700000000,
        properties: { Plan: 'Pro', Seats: 3, Trial: false },
      },
      { apiKey },
    );
    expect(request).toEqual({
      method: 'GET',
      url: 'https://trk.kissmetrics.io/e?_k=abc123&_p=bob%40example.com&_n=Signed%20Up&_t=1700000000&_d=1&Plan=Pro&Seats=3&Trial=false',
    });
  });

  test('a set goes to /s without _n', () => {
    const request = toTrackingRequest(
      { type: 'set', person: 'u1', time: 1, properties: { city: 'Brussels' } },
      { apiKey },
    );
    expect(request.url).toBe(
      'https://trk.kissmetrics.io/s?_k=abc123&_p=u1&_t=1&_d=1&city=Brussels',
    );
  });

  test('an alias goes to /a with _p and _n only', () => {
    const request = toTrackingRequest(
      { type: 'alias', person: 'anon-1', alias: 'bob', time: 5 },
      { apiKey },
    );
    expect(request.url).toBe('https://trk.kissmetrics.io/a?_k=abc123&_p=anon-1&_n=bob');
  });

  test('Base64 identities keep their + / = through encoding and decoding', () => {
    const person = 'a+b/c==';
    const request = toTrackingRequest({ type: 'set', person, properties: {} }, { apiKey });
    expect(request.url).toContain('_p=a%2Bb%2Fc%3D%3D');
    expect(parseTrackingRequest(request).params._p).toBe(person);
  });

  test('reserved characters in keys and values are percent-encoded', () => {
    const request = toTrackingRequest(
      { type: 'set', person: 'p', properties: { 'a&b=c': 'x&y=z+1 %' } },
      { apiKey },
    );
    expect(request.url).toBe(
      'https://trk.kissmetrics.io/s?_k=abc123&_p=p&a%26b%3Dc=x%26y%3Dz%2B1%20%25',
    );
    expect(parseTrackingRequest(request).params['a&b=c']).toBe('x&y=z+1 %');
  });

  test('a first-party proxy endpoint keeps its path, with or without a trailing slash', () => {
    const command = { type: 'set', person: 'p', properties: {} } as const;
    expect(toTrackingRequest(command, { apiKey, endpoint: 'https://example.com/km/' }).url).toBe(
      'https://example.com/km/s?_k=abc123&_p=p',
    );
    expect(toTrackingRequest(command, { apiKey, endpoint: 'http://localhost:8080' }).url).toBe(
      'http://localhost:8080/s?_k=abc123&_p=p',
    );
  });

  test('past 2048 bytes of query the same parameters go as a form POST', () => {
    const short = { type: 'set', person: 'p', properties: { v: 'x' } } as const;
    // _k=abc123&_p=p&v= is 17 bytes: 2031 more characters reach exactly 2048.
    const atLimit = { ...short, properties: { v: 'x'.repeat(2031) } };
    const overLimit = { ...short, properties: { v: 'x'.repeat(2032) } };
    expect(toTrackingRequest(atLimit, { apiKey }).method).toBe('GET');
    const post = toTrackingRequest(overLimit, { apiKey });
    expect(post.method).toBe('POST');
    expect(post.url).toBe('https://trk.kissmetrics.io/s');
    expect(post.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(post.body).toBe(`_k=abc123&_p=p&v=${'x'.repeat(2032)}`);
    expect(parseTrackingRequest(post).params.v).toHaveLength(2032);
  });

  test('the POST threshold is configurable', () => {
    const request = toTrackingRequest(
      { type: 'set', person: 'p', properties: { v: 'xx' } },
      { apiKey, maxQueryBytes: 10 },
    );
    expect(request.method).toBe('POST');
  });

  test('a __proto__ property is an ordinary parameter both ways', () => {
    const properties = JSON.parse('{"__proto__":"polluted"}');
    const request = toTrackingRequest({ type: 'set', person: 'p', properties }, { apiKey });
    expect(request.url).toBe('https://trk.kissmetrics.io/s?_k=abc123&_p=p&__proto__=polluted');
    const { params } = parseTrackingRequest(request);
    expect(Object.keys(params)).toEqual(['_k', '_p', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a lone surrogate does not throw and arrives as U+FFFD', () => {
    const request = toTrackingRequest(
      { type: 'set', person: 'p', properties: { v: 'a\uD800b' } },
      { apiKey },
    );
    expect(parseTrackingRequest(request).params.v).toBe('a\uFFFDb');
  });

  test.each([
    [{ type: 'identify', person: 'p' }, 'not_encodable', 'type'],
    [{ type: 'record', event: 'E', properties: {} }, 'missing_identity', 'person'],
    [{ type: 'set', person: 'p', time: 1.5, properties: {} }, 'invalid_message', 'time'],
  ])('refuses %j with %s at %s', (command, code, path) => {
    const attempt = () => toTrackingRequest(command as never, { apiKey });
    expect(attempt).toThrow(KmValidationError);
    expect(attempt).toThrow(expect.objectContaining({ code, path }));
  });

  test('refuses a missing API key and a malformed endpoint, naming the option', () => {
    const command = { type: 'set', person: 'p', properties: {} } as const;
    expect(() => toTrackingRequest(command, { apiKey: '' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'apiKey' }),
    );
    expect(() => toTrackingRequest(command, { apiKey, endpoint: 'trk.kissmetrics.io' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'endpoint' }),
    );
    expect(() =>
      toTrackingRequest(command, { apiKey, endpoint: 'https://trk.kissmetrics.io/?x=1' }),
    ).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'endpoint' }));
  });
});

describe('parseTrackingRequest', () => {
  test('reads endpoint, path and parameters of a GET, with + as a space like a form decoder', () => {
    const parsed = parseTrackingRequest({
      method: 'GET',
      url: 'https://trk.kissmetrics.com/proxy/e?_k=k&_p=a+b&_n=Signed%20Up',
    });
    expect(parsed).toEqual({
      endpoint: 'https://trk.kissmetrics.com/proxy',
      path: '/e',
      params: { _k: 'k', _p: 'a b', _n: 'Signed Up' },
    });
  });

  test('merges a form body over the query', () => {
    const parsed = parseTrackingRequest({
      method: 'POST',
      url: 'https://trk.kissmetrics.io/s?_k=k',
      body: '_p=p&x=1',
    });
    expect(parsed.params).toEqual({ _k: 'k', _p: 'p', x: '1' });
  });
});

describe('encoding shortcuts give the same bytes', () => {
  test('a number with an exponent has its + encoded; other numbers go as they are', () => {
    const request = toTrackingRequest(
      { type: 'set', person: 'p', properties: { big: 1e21, tiny: 1e-7, n: -1.5 } },
      { apiKey },
    );
    expect(request.url).toBe(
      'https://trk.kissmetrics.io/s?_k=abc123&_p=p&big=1e%2B21&tiny=1e-7&n=-1.5',
    );
    expect(parseTrackingRequest(request).params.big).toBe('1e+21');
  });

  test('names and API keys encode the same on every call, whichever key comes first', () => {
    const command = {
      type: 'set',
      person: 'p',
      properties: { 'Billing Amount': 1, 'a&b': 2 },
    } as const;
    const first = toTrackingRequest(command, { apiKey: 'k 1' }).url;
    toTrackingRequest(command, { apiKey: 'other' });
    expect(toTrackingRequest(command, { apiKey: 'k 1' }).url).toBe(first);
    expect(first).toBe('https://trk.kissmetrics.io/s?_k=k%201&_p=p&Billing%20Amount=1&a%26b=2');
  });

  test('more distinct names than are remembered still encode correctly', () => {
    for (let i = 0; i < 1100; i++) {
      const name = `name ${i}`;
      const { url } = toTrackingRequest(
        { type: 'set', person: 'p', properties: { [name]: i } },
        { apiKey },
      );
      expect(url.endsWith(`&name%20${i}=${i}`)).toBe(true);
    }
  });
});
