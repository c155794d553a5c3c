import { createKissmetricsEmulator } from '@kmkit/msw';
import { createKissmetrics } from '@kmkit/node';
import { callNodeClient, pushOnPage } from '../clients/index.js';
import {
  type Call,
  type Check,
  callText,
  check,
  checkEqual,
  createFlowClock,
  type Flow,
  type FlowContext,
  type FlowSection,
  isoSeconds,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { interceptedFetch } from '../network/index.js';
import { openDevicePage } from '../page/index.js';

const API_KEY = 'playground-key';
const MINUTE = 60_000;

// The guide's examples (../shared/seeds/001_9bd4513346047a91.txt), verbatim.
const TRAITS = { name: 'Tintin', city: 'Brussels', country: 'Belgium', email: 'tintin@herge.com' };
const PAGE_PROPERTIES = {
  path: 'path',
  url: 'url',
  title: 'title',
  search: 'search',
  referrer: 'referrer',
};
const TRACK_PROPERTIES = { category: 'category', label: 'label', value: 'value' };

/** The guide's four calls, as RudderStack's SDK writes them and as the spec messages they become. */
const EXAMPLES = [
  {
    rudderstack: callText('rudderanalytics.identify', 'my-userID', TRAITS),
    message: { type: 'identify', userId: 'my-userID', traits: TRAITS },
  },
  {
    rudderstack: callText('rudderanalytics.page', 'home', PAGE_PROPERTIES),
    message: { type: 'page', userId: 'my-userID', name: 'home', properties: PAGE_PROPERTIES },
  },
  {
    rudderstack: callText('rudderanalytics.track', 'Track me', TRACK_PROPERTIES),
    message: {
      type: 'track',
      userId: 'my-userID',
      event: 'Track me',
      properties: TRACK_PROPERTIES,
    },
  },
  {
    rudderstack: callText('rudderanalytics.alias', 'my-new-userID'),
    message: { type: 'alias', userId: 'my-new-userID', previousId: 'my-userID' },
  },
] as const;

// What the guide says each call passes to _kmq, typed from the guide (not from kmkit's output).
const GUIDE_KMQ = [
  ['identify', 'my-userID'],
  ['set', TRAITS],
  ['record', 'Viewed home page', PAGE_PROPERTIES],
  ['record', 'Track me', TRACK_PROPERTIES],
  ['alias', 'my-new-userID', 'my-userID'],
];

/** Every property the person ends with: traits, page and track properties, as wire text. */
const ALL_PROPERTIES = { ...TRAITS, ...PAGE_PROPERTIES, ...TRACK_PROPERTIES };

/** Device mode: the guide's `_kmq` commands run by the emulated Kissmetrics JS in a page. */
async function deviceMode(context: FlowContext, checks: Check[]): Promise<FlowSection> {
  const clock = createFlowClock(context.start);
  const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
  context.network.use(...km.handlers);
  const page = openDevicePage({ url: 'https://www.example.com/', clock, seed: 1 });
  try {
    await page.installKissmetrics(API_KEY);
    const calls: Call[] = [];
    const kmq: unknown[] = [];
    const times: number[] = [];
    for (const example of EXAMPLES) {
      times.push(clock.seconds());
      const commands = await pushOnPage(page, example.message);
      calls.push({
        call: example.rudderstack,
        result: `${commands.length} _kmq command${commands.length === 1 ? '' : 's'}`,
      });
      kmq.push(...commands);
      clock.advance(MINUTE);
    }
    const visitor = page.cookie('km_ai') ?? '(no km_ai cookie)';
    const requests = km.requests().map(toRequestView);
    const people = km.people().map(toPerson);

    checks.push(
      checkEqual('device: the _kmq commands are the ones the guide lists', kmq, GUIDE_KMQ),
      checkEqual(
        'device: the Kissmetrics JS sends /a (anonymous visitor to my-userID), /s, /e, /e, /a',
        requests.map((request) => request.path),
        ['/a', '/s', '/e', '/e', '/a'],
      ),
      checkEqual('device: Kissmetrics rejected nothing', km.rejected(), []),
      checkEqual(
        'device: one person holds the anonymous visitor, my-userID and my-new-userID',
        people.map((person) => person.identities),
        [[visitor, 'my-userID', 'my-new-userID']],
      ),
      checkEqual(
        'device: the timeline shows "Viewed home page" then "Track me", at the times they were pushed',
        people[0]?.events,
        [
          { name: 'Viewed home page', time: isoSeconds(times[1]!), properties: PAGE_PROPERTIES },
          { name: 'Track me', time: isoSeconds(times[2]!), properties: TRACK_PROPERTIES },
        ],
      ),
      checkEqual(
        'device: the person has the traits and the page and track properties',
        people[0]?.properties,
        ALL_PROPERTIES,
      ),
      checkEqual('device: the page logged no error', page.consoleErrors(), []),
    );
    return {
      title: 'device mode',
      about:
        "@kmkit/core mapEvent(message, { mode: 'device' }) + toKmq, pushed on window._kmq of a page " +
        '(happy-dom) running the emulated Kissmetrics JS, whose beacons reach the emulator',
      calls,
      kmq,
      requests,
      facts: [{ label: 'visitor (km_ai cookie)', value: visitor }],
      people,
    };
  } finally {
    await page.close();
  }
}

/** Cloud mode: the same calls through `@kmkit/node`, straight to the tracking API. */
async function cloudMode(context: FlowContext, checks: Check[]): Promise<FlowSection> {
  const clock = createFlowClock(context.start);
  const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
  context.network.use(...km.handlers);
  // RudderStack's SDK sends the visitor's anonymousId with every message.
  const anonymousId = '4f6b2c1e-8d3a-4e5f-9a7b-1c2d3e4f5a6b';
  // One request at a time, so the list below reads in call order.
  const client = createKissmetrics({ apiKey: API_KEY, fetch: interceptedFetch, concurrency: 1 });
  const calls: Call[] = [];
  const times: number[] = [];
  for (const { message } of EXAMPLES) {
    const { type, ...fields } = message;
    times.push(clock.seconds());
    calls.push(
      callNodeClient(client, type, {
        ...fields,
        anonymousId,
        timestamp: new Date(clock.now()).toISOString(),
      }),
    );
    clock.advance(MINUTE);
  }
  const closed = await client.close();
  const requests = km.requests().map(toRequestView);
  const people = km.people().map(toPerson);
  const [identify, page, track] = times.map(String);

  checks.push(
    checkEqual(
      'cloud: /s with the traits, /a joining the anonymous id to my-userID, /e, /e, then /a',
      requests.map((request) => {
        const { _k, ...params } = request.params;
        return [request.path, params];
      }),
      [
        ['/s', { _p: 'my-userID', _t: identify, _d: '1', ...TRAITS }],
        ['/a', { _p: anonymousId, _n: 'my-userID' }],
        ['/e', { _p: 'my-userID', _n: 'Viewed home page', _t: page, _d: '1', ...PAGE_PROPERTIES }],
        ['/e', { _p: 'my-userID', _n: 'Track me', _t: track, _d: '1', ...TRACK_PROPERTIES }],
        ['/a', { _p: 'my-userID', _n: 'my-new-userID' }],
      ],
    ),
    checkEqual('cloud: Kissmetrics rejected nothing', km.rejected(), []),
    check(
      'cloud: close() delivered all 5 requests, none failed or dropped',
      closed.delivered === 5 && closed.failed === 0 && closed.dropped === 0,
      JSON.stringify(closed),
    ),
    checkEqual(
      'cloud: one person holds my-userID, the anonymous id and my-new-userID',
      people.map((person) => [...person.identities].sort()),
      [[anonymousId, 'my-new-userID', 'my-userID']],
    ),
    checkEqual(
      'cloud: the timeline shows "Viewed home page" then "Track me", at the messages’ timestamps',
      people[0]?.events,
      [
        { name: 'Viewed home page', time: isoSeconds(Number(page)), properties: PAGE_PROPERTIES },
        { name: 'Track me', time: isoSeconds(Number(track)), properties: TRACK_PROPERTIES },
      ],
    ),
    checkEqual(
      'cloud: the person has the traits and the page and track properties',
      people[0]?.properties,
      ALL_PROPERTIES,
    ),
  );
  return {
    title: 'cloud mode',
    about:
      '@kmkit/node createKissmetrics({ apiKey, fetch }) sending to the tracking API, answered by ' +
      'the emulator through msw/node',
    calls,
    requests,
    people,
  };
}

/** Flow 1: the RudderStack guide's identify, page, track and alias, in device and cloud mode. */
export const rudderstackExamples: Flow = {
  name: 'rudderstack-examples',
  title:
    "The RudderStack guide's examples (identify Tintin, page home, track, alias) in both modes",
  async run(context) {
    const checks: Check[] = [];
    const sections = [await deviceMode(context, checks), await cloudMode(context, checks)];
    return { sections, checks };
  },
};
