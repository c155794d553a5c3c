import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KmWireCommand, toTrackingRequest } from '@kmkit/core';
import { mountSmallTmpfs } from '@kmkit/test-faults';
import { afterEach, describe, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import {
  createKissmetricsRelay,
  type KissmetricsRelay,
  type KissmetricsRelayOptions,
} from './index.js';

const SITE = 'https://www.example.com';
const T = 1_714_564_800;
const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };

let kissmetrics: EmulatedEndpoint;
const relays: KissmetricsRelay[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close({ timeoutMs: 100 })));
  await kissmetrics?.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function world(options: Partial<KissmetricsRelayOptions> = {}) {
  kissmetrics ??= await startEmulatedEndpoint({ apiKeys: ['key', 'key-2'] });
  if (!kissmetrics.server.server.listening) {
    kissmetrics = await startEmulatedEndpoint({ apiKeys: ['key', 'key-2'] });
  }
  const relay = createKissmetricsRelay({
    apiKey: 'key',
    endpoint: kissmetrics.url,
    ...fast,
    ...options,
  } as KissmetricsRelayOptions);
  relays.push(relay);
  return { relay, km: kissmetrics.km };
}

const spoolDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmkit-relay-'));
  dirs.push(dir);
  return dir;
};

/** The request `@kmkit/browser`'s cloud mode makes for a command, with `endpoint: SITE/km`. */
function browserRequest(
  command: KmWireCommand,
  init: { apiKey?: string; beacon?: boolean; headers?: Record<string, string> } = {},
): Request {
  const tracking = toTrackingRequest(command, {
    apiKey: init.apiKey ?? 'key',
    endpoint: `${SITE}/km`,
  });
  const headers = { 'user-agent': 'Mozilla/5.0 Chrome/143', ...init.headers };
  if (init.beacon) {
    // sendBeacon: a POST of the parameters to the path, typed as cloud mode types its Blob.
    const [path, query] = tracking.url.split('?') as [string, string];
    return new Request(path, {
      method: 'POST',
      body: tracking.body ?? query,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  return new Request(tracking.url, {
    method: tracking.method,
    ...(tracking.body === undefined ? {} : { body: tracking.body }),
    headers: { ...tracking.headers, ...headers },
  });
}

const record = (event: string, person = 'bob', time = T): KmWireCommand => ({
  type: 'record',
  person,
  event,
  time,
  properties: { plan: 'pro' },
});

const visitor = { remoteAddress: '203.0.113.9' };

describe('the relay, through handle()', () => {
  test('forwards what cloud mode sends (GET, form POST, beacon, /a) once each, with the visitor address and user agent', async () => {
    const { relay, km } = await world();
    const requests = [
      browserRequest(record('Viewed Pricing')),
      browserRequest({
        type: 'set',
        person: 'bob',
        time: T,
        properties: { bio: 'b'.repeat(2100) },
      }),
      browserRequest(record('Left Page'), { beacon: true }),
      browserRequest({ type: 'alias', person: 'bob', alias: 'bob@example.com' }),
    ];
    expect(requests[1]!.method).toBe('POST');
    const answers = await Promise.all(requests.map((request) => relay.handle(request, visitor)));
    expect(answers.map((answer) => [answer.status, answer.headers.get('content-type')])).toEqual(
      Array(4).fill([200, 'image/gif']),
    );
    expect(await relay.flush()).toEqual({ delivered: 4, failed: 0, dropped: 0 });
    expect(km.person('bob@example.com')?.events.map((event) => event.name)).toEqual([
      'Viewed Pricing',
      'Left Page',
    ]);
    expect(km.person('bob')?.properties.bio).toBe('b'.repeat(512));
    const sent = km.requests();
    expect(sent.map((request) => request.status)).toEqual(Array(4).fill('accepted'));
    expect(
      sent.filter((request) => request.path !== '/a').map((request) => request.params._ip),
    ).toEqual(Array(3).fill('203.0.113.9'));
    expect(sent[0]?.params._ua).toBe('Mozilla/5.0 Chrome/143');
    expect(relay.stats()).toMatchObject({ accepted: 4, refused: {}, withoutAddress: 0 });
  });

  test('refuses every API key but its own with 403, and sends nothing', async () => {
    const { relay, km } = await world();
    const answer = await relay.handle(
      browserRequest(record('Stolen'), { apiKey: 'key-2' }),
      visitor,
    );
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ outcome: 'refused', reason: 'unknown_api_key' });
    await relay.flush();
    expect(km.requests()).toEqual([]);
    expect(relay.stats().refused).toEqual({ unknown_api_key: 1 });
  });

  test('apiKeys: forwards each of several products with its own key', async () => {
    const { relay, km } = await world({ apiKey: undefined, apiKeys: ['key', 'key-2'] });
    for (const apiKey of ['key', 'key-2']) {
      const answer = await relay.handle(
        browserRequest(record(`For ${apiKey}`), { apiKey }),
        visitor,
      );
      expect(answer.status).toBe(200);
    }
    await relay.flush();
    expect(km.requests().map((request) => request.params._k)).toEqual(['key', 'key-2']);
  });

  test('answers preflights and requests of allowed origins with CORS headers, and refuses other origins, beacons included', async () => {
    const { relay, km } = await world({ allowedOrigins: [SITE] });
    const preflight = (origin: string) =>
      relay.handle(
        new Request(`${SITE}/km/e`, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        }),
      );
    const allowed = await preflight(SITE);
    expect(allowed.status).toBe(204);
    expect(Object.fromEntries(allowed.headers)).toMatchObject({
      'access-control-allow-origin': SITE,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'content-type',
    });
    const stranger = await preflight('https://evil.example');
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    const fromSite = await relay.handle(
      browserRequest(record('From Site'), { headers: { origin: SITE } }),
      visitor,
    );
    expect(fromSite.status).toBe(200);
    expect(fromSite.headers.get('access-control-allow-origin')).toBe(SITE);
    // A no-cors beacon from another site: the browser would send it; the relay refuses it.
    const beacon = await relay.handle(
      browserRequest(record('From Evil'), {
        beacon: true,
        headers: { origin: 'https://evil.example' },
      }),
      visitor,
    );
    expect(beacon.status).toBe(403);
    // The relay's own origin (the Host it was reached at) needs no configuration.
    const sameOrigin = await relay.handle(
      browserRequest(record('Same Origin'), {
        headers: { origin: 'https://relay.example', host: 'relay.example' },
      }),
      visitor,
    );
    expect(sameOrigin.status).toBe(200);
    await relay.flush();
    expect(km.person('bob')?.events.map((event) => event.name)).toEqual([
      'From Site',
      'Same Origin',
    ]);
    expect(relay.stats().refused).toEqual({ origin_not_allowed: 2 });
  });

  test("a page of the relay's own origin needs no allowedOrigins, even where Host is left out", async () => {
    const { relay } = await world();
    const answer = await relay.handle(
      browserRequest(record('Own Origin'), { headers: { origin: SITE } }),
      visitor,
    );
    expect(answer.status).toBe(200);
    const stranger = await relay.handle(
      browserRequest(record('Stranger'), { headers: { origin: 'https://evil.example' } }),
      visitor,
    );
    expect(stranger.status).toBe(403);
  });

  test('answers 503 with Retry-After when its queue is full, health says so, and every 200 is delivered later', async () => {
    const { relay, km } = await world({ maxQueueLength: 3, retryAfterSeconds: 7 });
    km.faults.set('*', { rate: 1, failWith: 'network-error' });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < 5; index++) {
      const answer = await relay.handle(browserRequest(record(`Event ${index}`)), visitor);
      statuses.push(answer.status);
      if (answer.status === 503) {
        retryAfter = answer.headers.get('retry-after');
        expect(await answer.json()).toMatchObject({ reason: 'queue_full' });
      }
    }
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
    expect(retryAfter).toBe('7');
    const health = await relay.handle(new Request(`${SITE}/km/health`));
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'saturated', queued: 3 });

    km.faults.clear();
    expect(await relay.flush()).toMatchObject({ delivered: 3, failed: 0 });
    expect(km.person('bob')?.events.map((event) => event.name)).toEqual([
      'Event 0',
      'Event 1',
      'Event 2',
    ]);
    expect((await relay.handle(new Request(`${SITE}/km/health`))).status).toBe(200);
  });

  test('after close() it answers 503 (closed), and its health is 503', async () => {
    const { relay } = await world();
    await relay.close();
    const answer = await relay.handle(browserRequest(record('Late')), visitor);
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ reason: 'closed' });
    expect(relay.health()).toMatchObject({ status: 503, body: { status: 'closed' } });
  });

  test.each([
    [
      'a PUT',
      new Request(`${SITE}/km/e?_k=key&_p=bob&_n=x`, { method: 'PUT' }),
      405,
      'method_not_allowed',
    ],
    ['an unknown path', new Request(`${SITE}/km/x?_k=key`), 404, 'unknown_path'],
    [
      'a JSON body',
      new Request(`${SITE}/km/e`, {
        method: 'POST',
        body: '{"_k":"key"}',
        headers: { 'content-type': 'application/json' },
      }),
      415,
      'unsupported_media_type',
    ],
    [
      'a body over 64 KiB',
      new Request(`${SITE}/km/e`, {
        method: 'POST',
        body: `_k=key&_p=bob&_n=x&v=${'x'.repeat(70_000)}`,
      }),
      413,
      'payload_too_large',
    ],
    [
      'a URL over 16 KiB',
      new Request(`${SITE}/km/e?_k=key&_p=bob&_n=x&v=${'x'.repeat(17_000)}`),
      414,
      'uri_too_long',
    ],
    [
      'a malformed escape',
      new Request(`${SITE}/km/e?_k=key&_p=%E0%A4&_n=x`),
      400,
      'malformed_request',
    ],
  ])('refuses %s with a clear code', async (_what, request, status, reason) => {
    const { relay, km } = await world();
    const answer = await relay.handle(request, visitor);
    expect(answer.status).toBe(status);
    expect(await answer.json()).toMatchObject({ outcome: 'refused', reason });
    await relay.flush();
    expect(km.requests()).toEqual([]);
  });

  test('a body that does not arrive within bodyTimeoutMs is answered 408', async () => {
    const { relay } = await world({ bodyTimeoutMs: 100 });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('_k=key&_p=bob'));
        // ...and nothing more.
      },
    });
    const request = new Request(`${SITE}/km/e`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    } as RequestInit);
    const answer = await relay.handle(request, visitor);
    expect(answer.status).toBe(408);
    expect(await answer.json()).toMatchObject({ reason: 'body_timeout' });
  });

  test('without a socket address or trusted proxies, the request goes without _ip and is counted', async () => {
    const { relay, km } = await world();
    expect((await relay.handle(browserRequest(record('No Address')))).status).toBe(200);
    await relay.flush();
    expect(km.requests()[0]?.params._ip).toBeUndefined();
    expect(relay.stats().withoutAddress).toBe(1);
  });

  test('refuses bad options with the option named', () => {
    expect(() => createKissmetricsRelay({} as KissmetricsRelayOptions)).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'apiKey' }),
    );
    expect(() =>
      createKissmetricsRelay({ apiKey: 'key', allowedOrigins: ['https://site.example/path'] }),
    ).toThrow(expect.objectContaining({ path: 'allowedOrigins[0]' }));
    expect(() =>
      createKissmetricsRelay({
        apiKey: 'key',
        allowedOrigin: [SITE],
      } as unknown as KissmetricsRelayOptions),
    ).toThrow(
      expect.objectContaining({
        path: 'allowedOrigin',
        message: expect.stringContaining('did you mean allowedOrigins?'),
      }),
    );
    expect(() => createKissmetricsRelay({ apiKey: 'key', trustedProxies: -1 })).toThrow(
      expect.objectContaining({ path: 'trustedProxies' }),
    );
    expect(() =>
      createKissmetricsRelay({ apiKey: 'key', overflow: 'drop-oldest' } as KissmetricsRelayOptions),
    ).toThrow(expect.objectContaining({ path: 'overflow' }));
  });
});

describe('the relay with a spool', () => {
  test('what one relay accepted while Kissmetrics was down is delivered exactly once by the next on the same directory', async () => {
    const dir = spoolDir();
    const first = await world({ spool: { dir } });
    first.km.faults.set('*', { rate: 1, failWith: 'network-error' });
    for (let index = 0; index < 20; index++) {
      const answer = await first.relay.handle(browserRequest(record(`Event ${index}`)), visitor);
      expect(answer.status).toBe(200);
    }
    expect(await first.relay.close({ timeoutMs: 50 })).toMatchObject({
      persisted: true,
      remaining: 20,
    });
    first.km.faults.clear();

    const second = await world({ spool: { dir } });
    expect(await second.relay.flush()).toMatchObject({ delivered: 20, failed: 0 });
    const accepted = second.km.requests().filter((request) => request.status === 'accepted');
    expect(accepted).toHaveLength(20);
    expect(second.km.person('bob')?.events).toHaveLength(20);
  });

  test('on a full disk it answers 503 (spool_failed) instead of 200, and every 200 it gave is delivered', async (context) => {
    const disk = mountSmallTmpfs('64k');
    if ('refused' in disk) {
      context.skip(
        `a tmpfs cannot be mounted here (${disk.refused}): no real full disk to test on`,
      );
      return;
    }
    try {
      const { relay, km } = await world({ spool: { dir: disk.dir, fsync: 'never' } });
      km.faults.set('*', { rate: 1, failWith: 'network-error' });
      const statuses = new Map<number, number>();
      const acknowledged: string[] = [];
      for (let index = 0; index < 400; index++) {
        const name = `Event ${index} ${'x'.repeat(200)}`;
        const answer = await relay.handle(browserRequest(record(name)), visitor);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 200) acknowledged.push(name);
        else
          expect(await answer.json()).toMatchObject({
            reason: expect.stringMatching(/spool_(failed|full)/),
          });
      }
      expect(statuses.get(503)).toBeGreaterThan(0);
      km.faults.clear();
      await relay.flush();
      expect(
        km
          .person('bob')
          ?.events.map((event) => event.name)
          .sort(),
      ).toEqual(acknowledged.sort());
      await relay.close();
    } finally {
      disk.unmount();
    }
  });
});
