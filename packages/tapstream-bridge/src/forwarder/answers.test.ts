import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmValidationError } from '@kmkit/core';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { createKissmetrics } from '@kmkit/node';
import { afterEach, describe, expect, test } from 'vitest';
import { interceptedFetch, useServer } from '../../test/server.js';
import type { PostbackAnswer } from '../postback/index.js';
import {
  createTapstreamForwarder,
  type TapstreamForwarder,
  type TapstreamForwarderOptions,
} from './create-tapstream-forwarder.js';

const API_KEY = 'km-key';
const SECRET = 'postback-secret-0123456789';
// 2024-05-01T12:00:00Z: 2024-01-01 is 1,704,067,200 s; May 1 is 121 days later; plus 12 h.
const T = 1_704_067_200 + 121 * 86_400 + 12 * 3600;
const VISITOR = 'Xk3+a/bQ9w==';

const km = createKissmetricsEmulator({ apiKeys: [API_KEY] });
useServer(...km.handlers);

const forwarders: TapstreamForwarder[] = [];
afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((forwarder) => forwarder.close({ timeoutMs: 100 })));
  km.reset();
});

// The forwarder makes its own client here: the options of that branch (not `client`).
function forwarder(
  options: Partial<Extract<TapstreamForwarderOptions, { client?: undefined }>> = {},
) {
  const created = createTapstreamForwarder({
    apiKey: API_KEY,
    secret: SECRET,
    fetch: interceptedFetch,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  forwarders.push(created);
  return created;
}

function postbackUrl(parameters: Record<string, string>): string {
  return `https://hooks.example.com/tapstream?${new URLSearchParams(parameters)}`;
}

const GOOD = { secret: SECRET, km_identity: VISITOR, event: 'ios-myapp-install', time: String(T) };

async function answer(target: TapstreamForwarder, request: Request) {
  const response = await target.handle(request);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

function get(parameters: Record<string, string>) {
  return new Request(postbackUrl(parameters));
}

describe('200: the attributed app event is recorded on the web visitor', () => {
  test('records the event on km_identity with _t from the postback and answers what it did', async () => {
    const target = forwarder();
    const result = await answer(target, get(GOOD));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      outcome: 'forwarded',
      message: expect.any(String),
      person: VISITOR,
      event: 'ios-myapp-install',
      time: T,
    });
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    await target.flush();
    expect(km.rejected()).toEqual([]);
    expect(km.requests().map((request) => request.params)).toEqual([
      { _k: API_KEY, _p: VISITOR, _n: 'ios-myapp-install', _t: String(T), _d: '1' },
    ]);
    expect(km.person(VISITOR)?.events).toEqual([
      { name: 'ios-myapp-install', time: T, properties: {} },
    ]);
  });

  test.each([
    ['seconds', String(T)],
    ['milliseconds', `${T}000`],
    ['milliseconds with a remainder', `${T}999`],
    ['seconds with a fraction', `${T}.75`],
    ['ISO 8601', '2024-05-01T12:00:00Z'],
  ])('reads the time in %s as the same second', async (_, time) => {
    const target = forwarder();
    expect((await answer(target, get({ ...GOOD, time }))).body.time).toBe(T);
    await target.flush();
    expect(km.requests()[0]?.params._t).toBe(String(T));
  });

  test('a repeated postback sends the same request, which Kissmetrics counts once', async () => {
    const target = forwarder();
    expect((await answer(target, get(GOOD))).status).toBe(200);
    expect((await answer(target, get(GOOD))).status).toBe(200);
    await target.flush();
    const [first, second] = km.requests();
    expect(second?.params).toEqual(first?.params);
    expect(km.requests().map((request) => request.status)).toEqual(['accepted', 'duplicate']);
    expect(km.person(VISITOR)?.events).toHaveLength(1);
  });

  test('reads a form-encoded POST body, which wins over the query', async () => {
    const target = forwarder();
    const request = new Request(postbackUrl({ event: 'from-query' }), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...GOOD, event: 'ios-myapp-open' }),
    });
    expect((await answer(target, request)).body.event).toBe('ios-myapp-open');
  });

  test('eventName gives a fixed name, or one made from the parameters', async () => {
    const fixed = forwarder({ eventName: 'App Install' });
    expect((await answer(fixed, get(GOOD))).body.event).toBe('App Install');
    const made = forwarder({ eventName: (parameters) => `App ${parameters.action}` });
    expect((await answer(made, get({ ...GOOD, event: '', action: 'Open' }))).body.event).toBe(
      'App Open',
    );
  });

  test('properties are recorded with the event', async () => {
    const target = forwarder({ properties: ({ tracker }) => ({ 'Tapstream Tracker': tracker }) });
    await answer(target, get({ ...GOOD, tracker: 'spring-campaign' }));
    await target.flush();
    expect(km.person(VISITOR)?.events[0]?.properties).toEqual({
      'Tapstream Tracker': 'spring-campaign',
    });
  });

  test('identityField names the parameter that carries the identity', async () => {
    const target = forwarder({ identityField: 'kmid' });
    const { km_identity: _, ...rest } = GOOD;
    expect((await answer(target, get({ ...rest, kmid: 'v-2' }))).body.person).toBe('v-2');
  });

  test('with a spool the event is on disk when the answer goes out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-forwarder-'));
    const target = forwarder({ spool: { dir } });
    expect((await answer(target, get(GOOD))).status).toBe(200);
    // The journal holds the request's record (Kissmetrics may already have acknowledged it).
    expect(readFileSync(join(dir, 'journal.log'), 'utf8')).toMatch(/^A \S+ .*\/e\?/m);
    await target.flush();
    expect(km.person(VISITOR)?.events).toHaveLength(1);
  });
});

describe('202: unattributed users are ignored, and nothing is sent', () => {
  test.each([
    [
      'an empty identity (TS{} of a user no visitor is credited with)',
      { km_identity: '' },
      'unattributed',
    ],
    ['a blank identity', { km_identity: '  ' }, 'unattributed'],
    ['no identity parameter', { km_identity: undefined }, 'unattributed'],
    ['the placeholder "undefined"', { km_identity: 'undefined' }, 'generic_identity'],
  ])('%s', async (_, override, reason) => {
    const target = forwarder();
    const parameters = Object.fromEntries(
      Object.entries({ ...GOOD, ...override }).filter(([, value]) => value !== undefined),
    ) as Record<string, string>;
    const result = await answer(target, get(parameters));
    expect(result.status).toBe(202);
    expect(result.body).toEqual({ outcome: 'ignored', reason, message: expect.any(String) });
    await target.flush();
    expect(km.requests()).toEqual([]);
    expect(target.stats()).toEqual({ forwarded: 0, ignored: 1, rejected: 0 });
  });
});

describe('400: a malformed postback is refused with a JSON reason, and nothing is sent', () => {
  test.each([
    [{ event: '' }, 'missing_event_name'],
    [{ event: undefined }, 'missing_event_name'],
    [{ event: 'e'.repeat(256) }, 'event_name_too_long'],
    [{ time: '' }, 'missing_time'],
    [{ time: undefined }, 'missing_time'],
    [{ time: 'yesterday' }, 'invalid_time'],
    [{ time: '-5' }, 'invalid_time'],
    [{ time: '0' }, 'invalid_time'],
    [{ time: '1e9' }, 'invalid_time'],
    [{ km_identity: 'v'.repeat(256) }, 'identity_too_long'],
  ])('%j is %s', async (override, reason) => {
    const target = forwarder();
    const parameters = Object.fromEntries(
      Object.entries({ ...GOOD, ...override }).filter(([, value]) => value !== undefined),
    ) as Record<string, string>;
    const result = await answer(target, get(parameters));
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ outcome: 'rejected', reason, message: expect.any(String) });
    await target.flush();
    expect(km.requests()).toEqual([]);
  });

  test('an event name function that gives nothing is a missing name', async () => {
    const target = forwarder({ eventName: () => undefined });
    expect((await answer(target, get(GOOD))).body.reason).toBe('missing_event_name');
  });
});

describe('km_identity is normalised: trimmed, and refused when it is not a visitor', () => {
  // Raw query strings, as Tapstream's macro expansion sends them.
  const raw = (identity: string) =>
    `https://hooks.example.com/tapstream?secret=${SECRET}&km_identity=${identity}&event=ios-myapp-open&time=${T}`;

  test('%20visitor%20 is recorded on "visitor"', async () => {
    const target = forwarder();
    const result = await answer(target, new Request(raw('%20visitor%20')));
    expect(result.status).toBe(200);
    expect(result.body.person).toBe('visitor');
    await target.flush();
    expect(km.requests().map((request) => request.params._p)).toEqual(['visitor']);
  });

  test.each([
    ['%00%00', 'two NUL bytes'],
    ['visitor%00', 'a NUL byte after a real identity'],
    ['vis%0Aitor', 'a newline inside'],
    ['%7F', 'DEL'],
    ['%C2%85visitor', 'a C1 control (NEL)'],
    ['%E2%82', 'a truncated UTF-8 sequence (decoded to U+FFFD)'],
    ['visitor%C3', 'a cut last character'],
    ['%FF%FE', 'bytes that are never UTF-8'],
    ['%EF%BF%BD', 'U+FFFD itself, the mark of an earlier bad decoding'],
  ])('%s (%s) is refused with 400 invalid_identity, and nothing is sent', async (identity) => {
    const target = forwarder();
    const result = await answer(target, new Request(raw(identity)));
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      outcome: 'rejected',
      reason: 'invalid_identity',
      message: expect.any(String),
    });
    // The same in a form-encoded POST body.
    const posted = await answer(
      target,
      new Request('https://hooks.example.com/tapstream', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `secret=${SECRET}&km_identity=${identity}&event=ios-myapp-open&time=${T}`,
      }),
    );
    expect(posted.body.reason).toBe('invalid_identity');
    await target.flush();
    expect(km.requests()).toEqual([]);
  });
});

describe('401: a missing or wrong secret is refused before anything else', () => {
  test.each([
    ['missing', undefined],
    ['empty', ''],
    ['wrong', 'postback-secret-0123456780'],
    ['a prefix', 'postback-secret'],
  ])('a %s secret', async (_, secret) => {
    const target = forwarder();
    const { secret: __, ...rest } = GOOD;
    const result = await answer(target, get(secret === undefined ? rest : { ...rest, secret }));
    expect(result.status).toBe(401);
    expect(result.body).toEqual({
      outcome: 'rejected',
      reason: 'unauthorized',
      message: expect.any(String),
    });
    await target.flush();
    expect(km.requests()).toEqual([]);
  });

  test('a wrong secret in the query is refused without reading the body', async () => {
    const target = forwarder();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled++;
          controller.enqueue(new TextEncoder().encode('km_identity=v'));
        },
      },
      { highWaterMark: 0 },
    );
    const { secret: _, ...rest } = GOOD;
    const request = new Request(postbackUrl({ ...rest, secret: 'wrong' }), {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect((await answer(target, request)).status).toBe(401);
    expect(pulled).toBe(0);
  });

  test('says nothing about the postback to a caller without the secret', async () => {
    const target = forwarder();
    const result = await answer(target, get({ km_identity: '', event: '', time: 'x' }));
    expect(result.status).toBe(401);
  });
});

describe('408: a body that does not arrive in time', () => {
  test('is answered 408 once bodyTimeoutMs has passed, and nothing is sent', async () => {
    const target = forwarder({ bodyTimeoutMs: 200 });
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('km_identity=v'));
        // ...and nothing more, ever.
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request(postbackUrl(GOOD), {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    const result = await answer(target, request);
    expect(result.status).toBe(408);
    expect(result.body.reason).toBe('request_timeout');
    expect(cancelled).toBe(true);
    await target.flush();
    expect(km.requests()).toEqual([]);
  });

  test.each([[0], [-1], [1.5], [Number.NaN], ['10s']])(
    'bodyTimeoutMs and headersTimeoutMs of %j are refused naming the option',
    (value) => {
      for (const name of ['bodyTimeoutMs', 'headersTimeoutMs']) {
        expect(() =>
          createTapstreamForwarder({ apiKey: API_KEY, secret: SECRET, [name]: value } as never),
        ).toThrow(expect.objectContaining({ code: 'invalid_option', path: name }));
      }
    },
  );
});

describe('405, 413 and 503', () => {
  test.each([['PUT'], ['DELETE'], ['PATCH'], ['HEAD'], ['OPTIONS']])(
    '%s is not allowed, and the answer says which methods are',
    async (method) => {
      const target = forwarder();
      const response = await target.handle(new Request(postbackUrl(GOOD), { method }));
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, POST');
      await target.flush();
      expect(km.requests()).toEqual([]);
    },
  );

  test('a body over 64 KB is refused; 64 KB exactly is read', async () => {
    const target = forwarder();
    const padding = (bytes: number) => `pad=${'x'.repeat(bytes - 4)}`;
    const over = new Request(postbackUrl(GOOD), { method: 'POST', body: padding(64 * 1024 + 1) });
    const result = await answer(target, over);
    expect(result.status).toBe(413);
    expect(result.body.reason).toBe('payload_too_large');
    const exact = new Request(postbackUrl(GOOD), { method: 'POST', body: padding(64 * 1024) });
    expect((await answer(target, exact)).status).toBe(200);
  });

  test('a streamed body without a length is cut at the limit', async () => {
    const target = forwarder({ maxBodyBytes: 1000 });
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(400).fill(97));
        if (pulled === 1000) controller.close();
      },
    });
    const request = new Request(postbackUrl(GOOD), {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect((await answer(target, request)).status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });

  test('a closed client turns events away with 503, to be retried', async () => {
    const target = forwarder();
    await target.close();
    const result = await answer(target, get(GOOD));
    expect(result.status).toBe(503);
    expect(result.headers.get('retry-after')).toBe('5');
    expect(result.body.reason).toBe('not_accepted');
  });
});

describe('500: a failing option function is reported, never thrown', () => {
  test('an eventName function that throws', async () => {
    const failure = new Error('mapping bug');
    const target = forwarder({
      eventName: () => {
        throw failure;
      },
    });
    const answers: PostbackAnswer[] = [];
    target.on('postback', (value) => answers.push(value));
    const result = await answer(target, get(GOOD));
    expect(result.status).toBe(500);
    expect(result.body).toEqual({
      outcome: 'rejected',
      reason: 'internal_error',
      message: expect.any(String),
    });
    expect(JSON.stringify(result.body)).not.toContain('mapping bug');
    expect(answers[0]?.error).toBe(failure);
  });

  test('a properties function that throws', async () => {
    const target = forwarder({
      properties: () => {
        throw new Error('bug');
      },
    });
    expect((await answer(target, get(GOOD))).status).toBe(500);
  });
});

describe('events, stats and the client', () => {
  test('every answer is an event and counted by outcome', async () => {
    const target = forwarder();
    const answers: PostbackAnswer[] = [];
    target.on('postback', (value) => answers.push(value));
    await target.handle(get(GOOD));
    await target.handle(get({ ...GOOD, km_identity: '' }));
    await target.handle(get({ ...GOOD, secret: 'no' }));
    expect(answers.map((value) => [value.status, value.outcome])).toEqual([
      [200, 'forwarded'],
      [202, 'ignored'],
      [401, 'rejected'],
    ]);
    expect(answers[0]?.postback).toMatchObject({
      identity: VISITOR,
      event: 'ios-myapp-install',
      time: T,
    });
    expect(target.stats()).toEqual({ forwarded: 1, ignored: 1, rejected: 1 });
  });

  test('records through an injected client, which close() leaves open', async () => {
    const client = createKissmetrics({ apiKey: API_KEY, fetch: interceptedFetch });
    const target = createTapstreamForwarder({ client, secret: SECRET });
    expect(target.client).toBe(client);
    await target.handle(get(GOOD));
    expect(await target.close()).toBeUndefined();
    await client.flush();
    expect(km.person(VISITOR)?.events).toHaveLength(1);
    await client.close();
  });

  test.each([
    [{ secret: '' }, 'secret'],
    [{ secret: undefined }, 'secret'],
    [{ apiKey: '' }, 'apiKey'],
    [{ client: createKissmetrics({ apiKey: 'k' }) }, 'client'],
    [{ eventName: '' }, 'eventName'],
    [{ properties: {} }, 'properties'],
    [{ maxBodyBytes: -1 }, 'maxBodyBytes'],
    [{ identityField: 'secret' }, 'identityField'],
  ])('refuses %j naming %s', (override, path) => {
    const create = () =>
      createTapstreamForwarder({
        apiKey: API_KEY,
        secret: SECRET,
        fetch: interceptedFetch,
        ...override,
      } as never);
    expect(create).toThrow(KmValidationError);
    expect(create).toThrow(expect.objectContaining({ path }));
  });
});
