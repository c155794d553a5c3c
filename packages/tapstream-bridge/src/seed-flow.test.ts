import { toTrackingRequest } from '@kmkit/core';
import { createManualScheduler } from '@kmkit/core/testing';
import { Window as HappyWindow } from 'happy-dom';
import { describe, expect, test } from 'vitest';
import { manualClock } from '../test/scheduler.js';
import { ACCOUNT, KM_KEY, useSeedWorld } from '../test/seed-world.js';
import { fireWebHit, sendAppEvent } from '../test/tapstream-sdk.js';
import { createMemoryAliasStore } from './alias/index.js';
import {
  aliasOnboardedUser,
  extractKmIdentity,
  installTapstreamBridge,
  lookupTimeline,
} from './index.js';

// The seed's three steps end to end, against both @kmkit/msw emulators: the website hands the
// Kissmetrics identity to Tapstream; the app looks up its attribution and aliases its user once;
// Tapstream's postbacks reach the forwarder. Kissmetrics must then show one person.
const POSTBACK_SECRET = 'postback-secret-1f2e3d';
const VISITOR = 'Xk3+a/bQ9w=='; // what KM.i() gives the web visitor: Base64 with '+', '/', '='
const TIMELINE = 'c0ffee00c0ffee00c0ffee00c0ffee00'; // the web tracker's click-timeline cookie
const APP_SESSION = '1b4e28ba-2fa1-11d2-883f-0016d3cca427'; // the Tapstream SDK's uuid
const clock = manualClock(Date.UTC(2024, 4, 1, 12, 0, 0));
const seconds = () => Math.floor(clock.now() / 1000);

const { km, ts, forwarder } = useSeedWorld({ postbackSecret: POSTBACK_SECRET, now: clock.now });

/** What the Kissmetrics JS sends for `_kmq.push(['record', name])` on the visitor's page. */
async function recordOnWeb(name: string) {
  const request = toTrackingRequest(
    { type: 'record', person: VISITOR, event: name, time: seconds(), properties: {} },
    { apiKey: KM_KEY },
  );
  await fetch(request.url);
}

/**
 * The website: installTapstreamBridge on a page whose Kissmetrics JS knows the visitor, then the
 * hit Tapstream's tracker sends for the `_tsq` commands the bridge pushed.
 */
async function visitWebsite() {
  const page = new HappyWindow({ url: 'https://site.test/' }) as unknown as Window & {
    _kmq: unknown[];
    _tsq: unknown[][];
    KM: { i(): string };
  };
  const bridge = installTapstreamBridge({
    accountName: ACCOUNT.name,
    loadTapstream: false,
    window: page,
    scheduler: createManualScheduler(),
  });
  // The Kissmetrics JS loads and runs the function the bridge queued.
  page.KM = { i: () => VISITOR };
  for (const item of page._kmq) if (typeof item === 'function') item();
  expect(await bridge.hit).toEqual({ identity: VISITOR });

  let account = '';
  const customParameters: Record<string, string> = {};
  for (const [command, ...args] of page._tsq) {
    if (command === 'setAccountName') account = String(args[0]);
    if (command === 'addCustomParameter') customParameters[String(args[0])] = String(args[1]);
    if (command === 'fireHit') {
      expect(
        await fireWebHit({
          account,
          timeline: TIMELINE,
          tracker: String(args[0]),
          customParameters,
        }),
      ).toBe(200);
    }
  }
  await (page as unknown as HappyWindow).happyDOM.close();
}

describe('the seed flow: website, app and server', () => {
  test('the web visitor and the app user end as one Kissmetrics person with both sides’ events', async () => {
    // 1. The website: the visitor browses, and the page hit carries km_identity.
    await recordOnWeb('Viewed Pricing');
    await visitWebsite();
    expect(ts.timeline(TIMELINE)?.hits.map((hit) => hit.custom_parameters)).toEqual([
      { km_identity: VISITOR },
    ]);
    const webTime = seconds();

    // 2. The app is installed; its SDK reports the install; Tapstream attributes the session.
    clock.advance(60_000);
    const installTime = seconds();
    expect(
      await sendAppEvent({
        ...ACCOUNT,
        account: ACCOUNT.name,
        uuid: APP_SESSION,
        name: 'ios-myapp-install',
        createdMs: clock.now(),
      }),
    ).toBe(200);
    ts.attribute(APP_SESSION, TIMELINE);

    // 3. On first run the app looks up its conversion and aliases its signed-in user, once.
    const timeline = await lookupTimeline({
      secret: ACCOUNT.secret,
      eventSession: APP_SESSION,
      attempts: 1,
    });
    expect(extractKmIdentity(timeline)).toBe(VISITOR);
    const store = createMemoryAliasStore();
    const alias = { apiKey: KM_KEY, timeline, namedIdentity: 'bob@example.com', store };
    expect(await aliasOnboardedUser(alias)).toEqual({
      outcome: 'aliased',
      kmIdentity: VISITOR,
      namedIdentity: 'bob@example.com',
    });
    const aliasRequests = () => km.requests().filter((request) => request.path === '/a');
    expect(aliasRequests()).toHaveLength(1);
    expect((await aliasOnboardedUser(alias)).outcome).toBe('already-aliased');
    expect(aliasRequests()).toHaveLength(1);

    // 4. The app's own Kissmetrics calls use the named identity.
    clock.advance(5_000);
    const signInTime = seconds();
    const signIn = toTrackingRequest(
      {
        type: 'record',
        person: 'bob@example.com',
        event: 'Signed In',
        time: signInTime,
        properties: {},
      },
      { apiKey: KM_KEY },
    );
    await fetch(signIn.url);

    // 5. Later app events; Tapstream posts every event of the attributed session back.
    clock.advance(3_600_000);
    const openTime = seconds();
    await sendAppEvent({
      ...ACCOUNT,
      account: ACCOUNT.name,
      uuid: APP_SESSION,
      name: 'ios-myapp-open',
      createdMs: clock.now(),
    });
    clock.advance(60_000);
    const purchaseTime = seconds();
    await sendAppEvent({
      ...ACCOUNT,
      account: ACCOUNT.name,
      uuid: APP_SESSION,
      name: 'ios-myapp-purchase-pro',
      createdMs: clock.now(),
    });
    await ts.settled();
    await forwarder.flush();

    expect(ts.postbacks().map((call) => [call.event, call.status])).toEqual([
      ['ios-myapp-install', 200],
      ['ios-myapp-open', 200],
      ['ios-myapp-purchase-pro', 200],
    ]);
    expect(km.rejected()).toEqual([]);
    expect(km.people()).toHaveLength(1);
    const person = km.person('bob@example.com');
    expect(km.person(VISITOR)).toEqual(person);
    expect(person?.identities).toEqual([VISITOR, 'bob@example.com']);
    expect(person?.events).toEqual([
      { name: 'Viewed Pricing', time: webTime, properties: {} },
      { name: 'ios-myapp-install', time: installTime, properties: {} },
      { name: 'Signed In', time: signInTime, properties: {} },
      { name: 'ios-myapp-open', time: openTime, properties: {} },
      { name: 'ios-myapp-purchase-pro', time: purchaseTime, properties: {} },
    ]);
    expect(forwarder.stats()).toEqual({ forwarded: 3, ignored: 0, rejected: 0 });
  });

  test('an app user credited to a visitor without km_identity is posted back, answered 202, and not sent', async () => {
    const requestsBefore = km.requests().length;
    await fireWebHit({
      account: ACCOUNT.name,
      timeline: 'no-km-visitor',
      customParameters: { utm_source: 'ad' },
    });
    await sendAppEvent({
      ...ACCOUNT,
      account: ACCOUNT.name,
      uuid: 'organic-app',
      name: 'ios-myapp-install',
      createdMs: clock.now(),
    });
    ts.attribute('organic-app', 'no-km-visitor');
    await ts.settled();
    await forwarder.flush();

    const timeline = await lookupTimeline({
      secret: ACCOUNT.secret,
      eventSession: 'organic-app',
      attempts: 1,
    });
    expect(
      (
        await aliasOnboardedUser({
          apiKey: KM_KEY,
          timeline,
          namedIdentity: 'carol@example.com',
          store: createMemoryAliasStore(),
        })
      ).outcome,
    ).toBe('no-identity');
    expect(ts.postbacks().at(-1)).toMatchObject({ session: 'organic-app', status: 202 });
    expect(km.requests()).toHaveLength(requestsBefore);
  });
});
