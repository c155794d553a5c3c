import { createKissmetricsEmulator, createTapstreamEmulator } from '@kmkit/msw';
import { createKissmetrics } from '@kmkit/node';
import {
  aliasOnboardedUser,
  createMemoryAliasStore,
  extractKmIdentity,
  installTapstreamBridge,
  lookupTimeline,
} from '@kmkit/tapstream-bridge';
import {
  createTapstreamForwarder,
  type PostbackAnswer,
  postbackUrlTemplate,
} from '@kmkit/tapstream-bridge/server';
import { http } from 'msw';
import { callNodeClient, deviceCommands, sendAppEvent } from '../clients/index.js';
import {
  type Call,
  type Check,
  callText,
  check,
  checkEqual,
  createFlowClock,
  type Exchange,
  type Flow,
  type FlowSection,
  isoSeconds,
  toPerson,
  toRequestView,
  virtualWaits,
} from '../flow/index.js';
import { interceptedFetch } from '../network/index.js';
import { openDevicePage } from '../page/index.js';

const KM_KEY = 'playground-key';
const APP = { account: 'acme', secret: 'tapstream-sdk-secret' };
const POSTBACK_SECRET = 'postback-secret-3b9f1c';
const HOOK = 'https://api.example.com/tapstream';
/** The Tapstream SDK's event session on the phone (the `uuid` its events carry). */
const APP_SESSION = '6f1c2a9e-4b7d-4e21-9c3a-5d8e7f6a1b2c';
const USER = 'tintin@herge.com';
/** Tapstream's processing time before the lookup knows the conversion. */
const ATTRIBUTION_DELAY_MS = 3000;

/** Exchanges other than Kissmetrics tracking requests (those are listed as requests). */
function otherTraffic(exchanges: readonly Exchange[]): Exchange[] {
  return exchanges.filter((exchange) => !/^https?:\/\/trk\.kissmetrics\./.test(exchange.url));
}

/**
 * Flow 4: the seed's Tapstream integration end to end: a web visitor whose Tapstream hit carries
 * `km_identity`, an app install attributed to that click, the app's timeline lookup and one-time
 * alias, and app events posted back by Tapstream and forwarded to Kissmetrics.
 */
export const tapstreamWebToApp: Flow = {
  name: 'tapstream-web-to-app',
  title: 'Tapstream web to app: the web visitor and the app user end as one Kissmetrics person',
  async run(context) {
    const clock = createFlowClock(context.start);
    const km = createKissmetricsEmulator({ apiKeys: [KM_KEY], now: clock.now });
    const ts = createTapstreamEmulator({
      accounts: [{ name: APP.account, secret: APP.secret }],
      now: clock.now,
      postbacks: [{ url: postbackUrlTemplate({ baseUrl: HOOK, secret: POSTBACK_SECRET }) }],
      fetch: interceptedFetch,
    });
    const forwarder = createTapstreamForwarder({
      apiKey: KM_KEY,
      secret: POSTBACK_SECRET,
      fetch: interceptedFetch,
      concurrency: 1,
    });
    const answers: PostbackAnswer[] = [];
    forwarder.on('postback', (answer) => answers.push(answer));
    context.network.use(
      ...km.handlers,
      ...ts.handlers,
      http.all(HOOK, ({ request }) => forwarder.handle(request)),
    );
    const checks: Check[] = [];
    const marks = { requests: 0, exchanges: 0 };
    // What went on the wire since the previous step.
    const step = () => {
      const requests = km.requests().map(toRequestView).slice(marks.requests);
      const exchanges = otherTraffic(context.network.exchanges().slice(marks.exchanges));
      marks.requests += requests.length;
      marks.exchanges = context.network.exchanges().length;
      return { requests, exchanges, people: km.people().map(toPerson) };
    };

    // 1. The website: Kissmetrics JS and the bridge on a page; the Tapstream hit carries KM.i().
    const page = openDevicePage({ url: 'https://www.example.com/pricing', clock, seed: 4 });
    const webAt = clock.seconds();
    let visitor: string;
    let timelineId: string;
    let web: FlowSection;
    try {
      await page.installKissmetrics(KM_KEY);
      const pageView = { type: 'page', name: 'Pricing', properties: { plan: 'pro' } };
      page.window._kmq?.push(...deviceCommands(pageView).map((command) => [...command]));
      const bridge = installTapstreamBridge({ accountName: APP.account, window: page.window });
      const hit = await bridge.hit;
      await page.settled();
      visitor = page.cookie('km_ai') ?? '';
      timelineId = page.cookie('_tsclick') ?? '';
      const credited = ts.timeline(timelineId)?.hits[0];
      checks.push(
        checkEqual('web: the bridge fired the hit with the visitor’s KM.i()', hit, {
          identity: visitor,
        }),
        checkEqual(
          'web: Tapstream’s click timeline (the _tsclick cookie) holds the hit on javascript_tracker with km_identity',
          [credited?.tracker, credited?.custom_parameters],
          ['javascript_tracker', { km_identity: visitor }],
        ),
        checkEqual('web: the page logged no error', page.consoleErrors(), []),
      );
      web = {
        title: '1. website: the visitor, and the Tapstream hit with km_identity',
        about:
          'a page (happy-dom) with the emulated Kissmetrics JS; installTapstreamBridge loads ' +
          'tapstream.js and, once KM.i() is known, pushes the seed’s _tsq commands',
        calls: [
          { call: callText('km.page', 'Pricing', { plan: 'pro' }), result: '1 _kmq command' },
          {
            call: callText('installTapstreamBridge', { accountName: APP.account }),
            result: `hit fired with km_identity=${hit.identity ?? '(none)'}`,
          },
        ],
        kmq: page.kmqPushed(),
        facts: [
          { label: 'visitor (KM.i(), km_ai cookie)', value: visitor },
          { label: 'Tapstream click timeline (_tsclick cookie)', value: timelineId },
        ],
        ...step(),
      };
    } finally {
      await page.close();
    }

    // 2. The app: installed two minutes later, attributed to the click, looks up and aliases once.
    clock.advance(2 * 60_000);
    const installAt = clock.seconds();
    const installStatus = await sendAppEvent(APP, {
      uuid: APP_SESSION,
      name: 'ios-myapp-install',
      createdMs: clock.now(),
    });
    // Tapstream's fingerprinting joins the app's session to the click; the emulator is told so.
    ts.attribute(APP_SESSION, timelineId, { delayMs: ATTRIBUTION_DELAY_MS });
    const lookupsBefore = ts.faults.calls('lookup');
    const timeline = await lookupTimeline({
      secret: APP.secret,
      eventSession: APP_SESSION,
      fetch: interceptedFetch,
      scheduler: virtualWaits(clock),
    });
    const lookups = ts.faults.calls('lookup') - lookupsBefore;
    const foundAt = clock.seconds();
    const kmIdentity = extractKmIdentity(timeline);
    const store = createMemoryAliasStore();
    const aliasOptions = {
      apiKey: KM_KEY,
      timeline,
      namedIdentity: USER,
      store,
      fetch: interceptedFetch,
    };
    const first = await aliasOnboardedUser(aliasOptions);
    const again = await aliasOnboardedUser(aliasOptions);
    clock.advance(30_000);
    const signUpAt = clock.seconds();
    const appServer = createKissmetrics({ apiKey: KM_KEY, fetch: interceptedFetch });
    const signUp = callNodeClient(appServer, 'track', {
      userId: USER,
      event: 'Signed Up',
      properties: { platform: 'iOS' },
      timestamp: new Date(clock.now()).toISOString(),
    });
    await appServer.close();
    await ts.settled();
    await forwarder.flush();
    const aliases = km.requests().filter((request) => request.path === '/a');
    checks.push(
      check('app: Tapstream took the install event', installStatus === 200, `${installStatus}`),
      checkEqual(
        'app: the lookup said "not yet" until Tapstream attributed the install (3 s), then found the click: 4 requests a second apart',
        lookups,
        4,
      ),
      checkEqual('app: km_identity from the credited hit is the web visitor', kmIdentity, visitor),
      checkEqual(
        'app: aliasOnboardedUser aliases once, then remembers it did',
        [first.outcome, again.outcome],
        ['aliased', 'already-aliased'],
      ),
      checkEqual(
        'app: exactly one /a reached Kissmetrics, joining the visitor and the app user',
        aliases.map((request) => [request.params._p, request.params._n]),
        [[visitor, USER]],
      ),
    );
    const app = {
      title: '2. app: install, attribution, timeline lookup, one-time alias',
      about:
        "the Tapstream SDK's event POSTs; lookupTimeline polls once a second (on the flow's clock); " +
        "aliasOnboardedUser sends /a once; the app's server tracks with @kmkit/node",
      calls: [
        {
          call: `Tapstream SDK: POST /${APP.account}/event/ios-myapp-install/ (uuid ${APP_SESSION})`,
          result: `${installStatus}`,
        },
        {
          call: `Tapstream attributes the session to click timeline ${timelineId} (ready after ${ATTRIBUTION_DELAY_MS / 1000} s)`,
        },
        {
          call: callText('lookupTimeline', { secret: APP.secret, eventSession: APP_SESSION }),
          result: `${lookups} requests; credited hit's km_identity=${kmIdentity ?? '(none)'}`,
        },
        {
          call: callText('aliasOnboardedUser', {
            apiKey: KM_KEY,
            timeline: '…',
            namedIdentity: USER,
            store: 'memory',
          }),
          result: `outcome: ${first.outcome}`,
        },
        {
          call: 'aliasOnboardedUser(same options) on the next launch',
          result: `outcome: ${again.outcome}`,
        },
        signUp,
      ] satisfies Call[],
      facts: [
        {
          label: 'attributed',
          value: `install at ${isoSeconds(installAt)}, lookup found it at ${isoSeconds(foundAt)}`,
        },
      ],
      ...step(),
    };

    // 3. Later app use: Tapstream posts every event of the attributed session to the forwarder.
    clock.advance(3_600_000);
    const openAt = clock.seconds();
    const openStatus = await sendAppEvent(APP, {
      uuid: APP_SESSION,
      name: 'ios-myapp-open',
      createdMs: clock.now(),
    });
    clock.advance(60_000);
    const purchaseAt = clock.seconds();
    const purchaseStatus = await sendAppEvent(APP, {
      uuid: APP_SESSION,
      name: 'ios-myapp-purchase-pro',
      createdMs: clock.now(),
    });
    await ts.settled();
    await forwarder.flush();
    await forwarder.close();
    const postbacks = ts.postbacks();
    const people = km.people().map(toPerson);
    checks.push(
      checkEqual(
        'server: Tapstream posted back install, open and purchase, each answered 200 by the forwarder',
        postbacks.map((call) => [call.event, call.status]),
        [
          ['ios-myapp-install', 200],
          ['ios-myapp-open', 200],
          ['ios-myapp-purchase-pro', 200],
        ],
      ),
      checkEqual(
        'server: the forwarder recorded each on the web visitor at Tapstream’s time',
        answers.map((answer) => [
          answer.outcome,
          answer.postback?.identity,
          answer.postback?.event,
          answer.postback?.time,
        ]),
        [
          ['forwarded', visitor, 'ios-myapp-install', installAt],
          ['forwarded', visitor, 'ios-myapp-open', openAt],
          ['forwarded', visitor, 'ios-myapp-purchase-pro', purchaseAt],
        ],
      ),
      checkEqual('Kissmetrics rejected nothing', km.rejected(), []),
      checkEqual(
        'Kissmetrics shows one person: the web visitor and the app user',
        people.map((person) => person.identities),
        [[visitor, USER]],
      ),
      checkEqual(
        'their timeline holds the web page view, the app install, the sign-up and the app events, in time order',
        people[0]?.events.map((event) => [event.time, event.name]),
        [
          [isoSeconds(webAt), 'Viewed Pricing page'],
          [isoSeconds(installAt), 'ios-myapp-install'],
          [isoSeconds(signUpAt), 'Signed Up'],
          [isoSeconds(openAt), 'ios-myapp-open'],
          [isoSeconds(purchaseAt), 'ios-myapp-purchase-pro'],
        ],
      ),
    );
    const server = {
      title: '3. server: Tapstream postbacks forwarded to Kissmetrics',
      about: `createTapstreamForwarder at ${HOOK}; Tapstream calls postbackUrlTemplate({ baseUrl, secret })`,
      calls: [
        {
          call: `Tapstream SDK: POST /${APP.account}/event/ios-myapp-open/`,
          result: `${openStatus}`,
        },
        {
          call: `Tapstream SDK: POST /${APP.account}/event/ios-myapp-purchase-pro/`,
          result: `${purchaseStatus}`,
        },
      ],
      facts: [
        {
          label: 'postback URL template',
          value: postbackUrlTemplate({ baseUrl: HOOK, secret: POSTBACK_SECRET }),
        },
        ...answers.map((answer) => ({
          label: `forwarder answer`,
          value: `${answer.outcome}: ${answer.postback?.event} on ${answer.postback?.identity}`,
        })),
      ],
      ...step(),
    };
    return { sections: [web, app, server], checks, people };
  },
};
