import { isKmValidationError, toTrackingRequest } from '@kmkit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock, useServer } from '../../test/server.js';
import { createKissmetricsEmulator } from './emulator.js';

const clock = manualClock();
const km = createKissmetricsEmulator({
  apiKeys: ['key-1', 'key-2'],
  endpoints: ['https://example.com/km/', 'http://localhost:8080'],
  now: clock.now,
});
const server = useServer(...km.handlers);
afterEach(() => km.reset());

const TRK = 'https://trk.kissmetrics.io';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Checks a body against the GIF89a format: a 1x1 image, 43 bytes, ending with the trailer. */
function expectOnePixelGif(bytes: Uint8Array) {
  expect(new TextDecoder().decode(bytes.slice(0, 6))).toBe('GIF89a');
  expect(bytes[6]! | (bytes[7]! << 8)).toBe(1); // logical screen width
  expect(bytes[8]! | (bytes[9]! << 8)).toBe(1); // logical screen height
  expect(bytes.length).toBe(43);
  expect(bytes.at(-1)).toBe(0x3b);
}

async function get(url: string) {
  const response = await fetch(url);
  return { response, body: new Uint8Array(await response.arrayBuffer()) };
}

describe('hosts, methods and the answer', () => {
  const bases = [
    'https://trk.kissmetrics.io',
    'http://trk.kissmetrics.io',
    'https://trk.kissmetrics.com',
    'http://trk.kissmetrics.com',
  ];

  it.each(bases)('serves /e, /s and /a on %s with a 200 image/gif 1x1 pixel', async (base) => {
    for (const request of [
      `${base}/e?_k=key-1&_p=ann&_n=Opened`,
      `${base}/s?_k=key-1&_p=ann&plan=pro`,
      `${base}/a?_k=key-1&_p=ann&_n=ann%40example.com`,
    ]) {
      const { response, body } = await get(request);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/gif');
      expectOnePixelGif(body);
    }
    expect(km.person('ann@example.com')).toEqual({
      identities: ['ann', 'ann@example.com'],
      events: [{ name: 'Opened', time: clock.seconds(), properties: {} }],
      properties: { plan: 'pro' },
    });
    expect(km.requests().map((request) => request.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
    ]);
  });

  it('reads a POST form body like a query string, for /e, /s and /a', async () => {
    for (const [path, body] of [
      ['/e', '_k=key-1&_p=bo%2Bb%3D%3D&_n=Paid&amount=9.99'],
      ['/s', '_k=key-1&_p=bo%2Bb%3D%3D&tier=gold'],
      ['/a', '_k=key-1&_p=bo%2Bb%3D%3D&_n=bob'],
    ] as const) {
      const response = await fetch(`${TRK}${path}`, { method: 'POST', headers: FORM, body });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/gif');
    }
    expect(km.person('bob')).toEqual({
      identities: ['bo+b==', 'bob'],
      events: [{ name: 'Paid', time: clock.seconds(), properties: { amount: '9.99' } }],
      properties: { amount: '9.99', tier: 'gold' },
    });
    expect(km.requests().map(({ method, path }) => `${method} ${path}`)).toEqual([
      'POST /e',
      'POST /s',
      'POST /a',
    ]);
  });

  it('decodes an unencoded + as a space, as the real server does, which splits a Base64 identity', async () => {
    await fetch(`${TRK}/e?_k=key-1&_p=ab+c/d==&_n=Viewed`);
    expect(km.person('ab+c/d==')).toBeUndefined();
    expect(km.person('ab c/d==')?.events.map((event) => event.name)).toEqual(['Viewed']);
  });

  it('reads requests built by @kmkit/core toTrackingRequest, GET and POST, intact', async () => {
    const person = 'Zm9v+YmFy/YmF6==';
    const short = toTrackingRequest(
      {
        type: 'record',
        person,
        event: 'Signed Up',
        time: 1_700_000_000,
        properties: { 'a&b': 'x=y+z' },
      },
      { apiKey: 'key-1' },
    );
    const long = toTrackingRequest(
      { type: 'set', person, time: 1_700_000_001, properties: { bio: 'é'.repeat(400) } },
      { apiKey: 'key-1' },
    );
    expect(long.method).toBe('POST');
    for (const request of [short, long]) {
      await fetch(request.url, {
        method: request.method,
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.body ? { body: request.body } : {}),
      });
    }
    expect(km.rejected()).toEqual([]);
    expect(km.person(person)).toEqual({
      identities: [person],
      events: [{ name: 'Signed Up', time: 1_700_000_000, properties: { 'a&b': 'x=y+z' } }],
      properties: { 'a&b': 'x=y+z', bio: 'é'.repeat(400) },
    });
  });

  it('serves extra endpoints with their path (a first-party proxy), and only the API paths', async () => {
    expect((await fetch('https://example.com/km/e?_k=key-1&_p=cy&_n=Proxied')).status).toBe(200);
    expect((await fetch('http://localhost:8080/s?_k=key-1&_p=cy&via=local')).status).toBe(200);
    expect(km.person('cy')).toMatchObject({
      events: [{ name: 'Proxied' }],
      properties: { via: 'local' },
    });
    // Nothing else answers: with onUnhandledRequest 'error' the fetch fails (MSW logs why).
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(fetch('https://example.com/e?_k=key-1&_p=cy&_n=x')).rejects.toThrow();
      await expect(fetch(`${TRK}/x?_k=key-1&_p=cy`)).rejects.toThrow();
    } finally {
      log.mockRestore();
    }
    expect(km.requests()).toHaveLength(2);
  });

  it('lets a page read the answer (access-control-allow-origin: *) unless cors is off', async () => {
    const response = await fetch(`${TRK}/e?_k=key-1&_p=p&_n=Ev`);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const closed = createKissmetricsEmulator({ cors: false });
    server.use(...closed.handlers);
    try {
      const closedResponse = await fetch(`${TRK}/e?_k=key-1&_p=p&_n=Ev`);
      expect(closedResponse.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      server.resetHandlers();
    }
  });

  it('refuses an endpoint that is not a base URL, naming the option', () => {
    for (const endpoint of ['not a url', 'https://example.com/km?x=1', 'ftp://example.com']) {
      let error: unknown;
      try {
        createKissmetricsEmulator({ endpoints: [endpoint] });
      } catch (caught) {
        error = caught;
      }
      expect(isKmValidationError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'invalid_option', path: 'endpoints[0]' });
    }
  });

  it('records every request in order with method, url, path, params, status and receive time', async () => {
    const url = `${TRK}/e?_k=key-1&_p=dee&_n=First&color=red`;
    await fetch(url);
    clock.advance(1500);
    await fetch(`${TRK}/e?_k=key-1&_n=Second`);
    expect(km.requests()).toEqual([
      {
        method: 'GET',
        url,
        path: '/e',
        params: { _k: 'key-1', _p: 'dee', _n: 'First', color: 'red' },
        status: 'accepted',
        receivedAt: clock.now() - 1500,
      },
      {
        method: 'GET',
        url: `${TRK}/e?_k=key-1&_n=Second`,
        path: '/e',
        params: { _k: 'key-1', _n: 'Second' },
        status: 'rejected',
        reason: 'missing_person',
        message: expect.stringContaining('_p'),
        receivedAt: clock.now(),
      },
    ]);
    expect(km.rejected()).toEqual([km.requests()[1]]);
  });
});

describe('rejected requests: still a 200 GIF, recorded with the reason, no effect', () => {
  const name256 = 'n'.repeat(256);
  const cases: [string, string, string][] = [
    ['missing _k', '/e?_p=p1&_n=Ev', 'missing_api_key'],
    ['an empty _k', '/s?_k=&_p=p1&a=1', 'missing_api_key'],
    ['a _k that is not one of apiKeys', '/e?_k=other&_p=p1&_n=Ev', 'unknown_api_key'],
    ['missing _p', '/e?_k=key-1&_n=Ev', 'missing_person'],
    ['missing _p on /s', '/s?_k=key-1&a=1', 'missing_person'],
    ['missing _p on /a', '/a?_k=key-1&_n=p2', 'missing_person'],
    ['/e without _n', '/e?_k=key-1&_p=p1', 'missing_name'],
    ['/a without _n', '/a?_k=key-1&_p=p1', 'missing_name'],
    ['_t without _d', '/e?_k=key-1&_p=p1&_n=Ev&_t=1700000000', 'time_without_d'],
    ['_t with _d=0', '/s?_k=key-1&_p=p1&a=1&_t=1700000000&_d=0', 'time_without_d'],
    ['_t in milliseconds', '/e?_k=key-1&_p=p1&_n=Ev&_t=1700000000000&_d=1', 'invalid_time'],
    ['a decimal _t', '/e?_k=key-1&_p=p1&_n=Ev&_t=1700000000.5&_d=1', 'invalid_time'],
    ['an identity over 255 characters', `/e?_k=key-1&_p=${name256}&_n=Ev`, 'name_too_long'],
    ['an event name over 255 characters', `/e?_k=key-1&_p=p1&_n=${name256}`, 'name_too_long'],
    ['an alias over 255 characters', `/a?_k=key-1&_p=p1&_n=${name256}`, 'name_too_long'],
    ['a property name over 255 characters', `/s?_k=key-1&_p=p1&${name256}=1`, 'name_too_long'],
    [
      'a property value over 512 characters',
      `/s?_k=key-1&_p=p1&a=${'v'.repeat(513)}`,
      'value_too_long',
    ],
    ['an empty property name', '/s?_k=key-1&_p=p1&=1', 'empty_property_name'],
  ];

  it.each(cases)('rejects %s', async (_, path, reason) => {
    const { response, body } = await get(`${TRK}${path}`);
    expect(response.status).toBe(200);
    expectOnePixelGif(body);
    expect(km.rejected()).toMatchObject([{ status: 'rejected', reason }]);
    expect(km.people()).toEqual([]);
  });

  it('accepts names of exactly 255 characters and values of exactly 512, counted in characters', async () => {
    const name = `${'é'.repeat(254)}😀`; // 255 characters, 256 UTF-16 code units
    await fetch(
      `${TRK}/e?_k=key-1&_p=${encodeURIComponent(name)}&_n=${encodeURIComponent(name)}&${encodeURIComponent(name)}=${'v'.repeat(511)}😀`,
    );
    expect(km.rejected()).toEqual([]);
    expect(km.person(name)?.events).toHaveLength(1);
  });

  it('accepts any non-empty _k when no apiKeys are given', async () => {
    const open = createKissmetricsEmulator({ now: clock.now });
    server.use(...open.handlers);
    try {
      await fetch(`${TRK}/e?_k=anything&_p=p1&_n=Ev`);
      await fetch(`${TRK}/e?_p=p1&_n=Ev`);
    } finally {
      server.resetHandlers();
    }
    expect(open.requests().map((request) => request.reason ?? request.status)).toEqual([
      'accepted',
      'missing_api_key',
    ]);
    expect(km.requests()).toEqual([]);
  });
});
