import { createTapstreamEmulator } from '@kmkit/msw';
import { getResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Loopback, serveKissmetrics, serveListener } from '../../test/loopback.js';
import { anonymousKmId } from '../../test/tapstream-sdk.js';
import { postbackUrlTemplate } from '../postback/index.js';
import { createTapstreamForwarder, type TapstreamForwarder } from './create-tapstream-forwarder.js';

// 2,000 attributed app users, each with its own web visitor. Tapstream's emulator posts all their
// events back at once (the attributions are made in one synchronous loop) to forwarder.listener on a
// loopback node:http server; the forwarder's undici pool delivers to the Kissmetrics emulator on
// another loopback server, which fails some requests on purpose. Every postback must end as exactly
// one event in Kissmetrics. No timing is asserted: `pnpm bench` measures throughput.
const USERS = 2000;
const API_KEY = 'km-key';
const SECRET = 'load-secret';
const ACCOUNT = { name: 'acme', secret: 'sdk-secret' };
const START_MS = Date.UTC(2024, 4, 1, 12, 0, 0);

let kissmetrics: Awaited<ReturnType<typeof serveKissmetrics>>;
let forwarder: TapstreamForwarder;
let site: Loopback;
beforeAll(async () => {
  kissmetrics = await serveKissmetrics({
    apiKeys: [API_KEY],
    faults: { e: { answers: ['network-error', 503, 'network-error'], rate: 0.05, failWith: 503 } },
  });
  forwarder = createTapstreamForwarder({
    apiKey: API_KEY,
    secret: SECRET,
    endpoint: kissmetrics.url,
    retry: { baseDelayMs: 1, maxDelayMs: 20 },
  });
  site = await serveListener(forwarder.listener);
});
afterAll(async () => {
  await forwarder.close({ timeoutMs: 5000 });
  await site.close();
  await kissmetrics.close();
});

describe('load', () => {
  test(`${USERS} concurrent postbacks on loopback are each forwarded exactly once`, async () => {
    const ts = createTapstreamEmulator({
      accounts: [ACCOUNT],
      postbacks: [
        { url: postbackUrlTemplate({ baseUrl: `${site.url}/tapstream`, secret: SECRET }) },
      ],
    });
    // The web hits and app events, answered by the emulator's handlers in this process.
    const call = async (url: string, init?: RequestInit) => {
      const response = await getResponse([...ts.handlers], new Request(url, init));
      expect(response?.status).toBe(200);
    };
    await Promise.all(
      Array.from({ length: USERS }, async (_, user) => {
        const hit = new URLSearchParams({
          __ts: '',
          __tl: `tl-${user}`,
          'custom-km_identity': anonymousKmId(user),
        });
        await call(`https://api.tapstream.com/acme/hit/javascript_tracker.gif?${hit}`);
        const event = new URLSearchParams({
          secret: ACCOUNT.secret,
          uuid: `app-${user}`,
          'created-ms': String(START_MS + user * 1000),
        });
        await call('https://api.tapstream.com/acme/event/ios-myapp-install/', {
          method: 'POST',
          body: event,
        });
      }),
    );

    for (let user = 0; user < USERS; user++) ts.attribute(`app-${user}`, `tl-${user}`);
    await ts.settled();

    const postbacks = ts.postbacks();
    expect(postbacks).toHaveLength(USERS);
    expect(postbacks.filter((postback) => postback.status !== 200)).toEqual([]);
    expect(forwarder.stats()).toEqual({ forwarded: USERS, ignored: 0, rejected: 0 });

    await forwarder.flush();
    expect(forwarder.client.stats()).toMatchObject({
      queued: 0,
      delivered: USERS,
      failed: 0,
      dropped: 0,
    });
    const { km } = kissmetrics;
    expect(km.rejected()).toEqual([]);
    expect(km.requests().filter((request) => request.status === 'duplicate')).toEqual([]);
    expect(km.requests()).toHaveLength(USERS);
    // The faults did happen, and were retried.
    expect(forwarder.client.stats().retries).toBeGreaterThanOrEqual(3);
    for (let user = 0; user < USERS; user++) {
      expect(km.person(anonymousKmId(user))?.events).toEqual([
        { name: 'ios-myapp-install', time: START_MS / 1000 + user, properties: {} },
      ]);
    }
    expect(km.people()).toHaveLength(USERS);
  }, 180_000);
});
