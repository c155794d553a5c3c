import { join } from 'node:path';
import { createDeliveryQueue, createFetchTransport, toTrackingRequest } from '@kmkit/core';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { createKissmetricsRelay, type KissmetricsRelay } from '@kmkit/node/relay';
import { http } from 'msw';
import {
  type Check,
  checkEqual,
  createFlowClock,
  type Flow,
  type FlowContext,
  type FlowSection,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { interceptedFetch } from '../network/index.js';

const API_KEY = 'playground-key';
const SITE = 'https://www.example.com';
const RELAY = `${SITE}/km`;
const VISITOR = 'visitor-7f3k9q';
const VISITOR_IP = '203.0.113.42';
const BROWSER = 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15';
const EVENTS = ['Viewed Pricing', 'Started Trial', 'Invited A Teammate'];

/** The privacy list an ad-blocker applies: every request to a Kissmetrics host is refused. */
const BLOCKED = /^https?:\/\/[^/]*kissmetrics\.(io|com)\//;

/**
 * The visitor's browser: cloud mode's own encoding (`toTrackingRequest`) and sending (core's
 * delivery engine over `fetch`), behind an ad-blocker that fails every request to a blocked host as
 * a network error, as extensions do. `blocked` counts what it refused.
 */
function visitorBrowser(endpoint: string | undefined, clock: { now(): number }) {
  let blocked = 0;
  const adBlockedFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (BLOCKED.test(url)) {
      blocked++;
      return Promise.reject(new TypeError('Failed to fetch (net::ERR_BLOCKED_BY_CLIENT)'));
    }
    // A load balancer in front of the relay writes the visitor's address.
    const headers = new Headers(init?.headers);
    headers.set('user-agent', BROWSER);
    headers.set('x-forwarded-for', VISITOR_IP);
    return interceptedFetch(input, { ...init, headers });
  };
  const queue = createDeliveryQueue({
    transport: createFetchTransport({ fetch: adBlockedFetch }),
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    scheduler: { now: clock.now },
  });
  return {
    track(event: string, time: number) {
      const request = toTrackingRequest(
        { type: 'record', person: VISITOR, event, time, properties: { plan: 'pro' } },
        { apiKey: API_KEY, ...(endpoint === undefined ? {} : { endpoint }) },
      );
      queue.enqueue(request);
      return request;
    },
    flush: () => queue.flush(),
    blocked: () => blocked,
  };
}

/** MSW routes the site's `/km/...` to the relay, as `app.use('/km', relay.listener)` would. */
const relayRoute = (relay: KissmetricsRelay) =>
  http.all(`${RELAY}/*`, ({ request }) => relay.handle(request, { remoteAddress: '10.0.0.2' }));

async function withoutRelay(context: FlowContext, checks: Check[]): Promise<FlowSection> {
  const clock = createFlowClock(context.start);
  const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
  context.network.use(...km.handlers);
  const browser = visitorBrowser(undefined, clock);
  for (const [index, event] of EVENTS.entries()) browser.track(event, clock.seconds() + index);
  const flushed = await browser.flush();
  checks.push(
    checkEqual(
      'without the relay: the ad-blocker refused every attempt (3 tries of each event)',
      browser.blocked(),
      EVENTS.length * 3,
    ),
    checkEqual('without the relay: the browser failed every event', flushed, {
      delivered: 0,
      failed: EVENTS.length,
      dropped: 0,
    }),
    checkEqual('without the relay: Kissmetrics never heard of the visitor', km.people(), []),
  );
  return {
    title: 'cloud mode straight to trk.kissmetrics.io, behind an ad-blocker',
    about:
      "the visitor's browser sends cloud mode's requests with fetch; the ad-blocker fails every " +
      'request to a Kissmetrics host, so the events never leave the page',
    calls: EVENTS.map((event) => ({ call: `km.track('${event}', { plan: 'pro' })` })),
    requests: [],
    facts: [
      { label: 'requests the ad-blocker refused', value: String(browser.blocked()) },
      { label: 'flush()', value: JSON.stringify(flushed) },
    ],
    people: [],
  };
}

async function throughRelay(context: FlowContext, checks: Check[]): Promise<FlowSection> {
  const clock = createFlowClock(context.start);
  const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
  const options = {
    apiKey: API_KEY,
    trustedProxies: 1,
    fetch: interceptedFetch,
    spool: { dir: join(context.workDir, 'relay-spool') },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  };
  let relay = createKissmetricsRelay(options);
  context.network.use(relayRoute(relay), ...km.handlers);
  const browser = visitorBrowser(RELAY, clock);

  // Kissmetrics is down for the first event: the relay keeps it in its spool across a restart.
  km.faults.set('*', { rate: 1, failWith: 503 });
  browser.track(EVENTS[0]!, clock.seconds());
  const whileDown = await browser.flush();
  const closed = await relay.close({ timeoutMs: 10 });
  km.faults.clear();
  relay = createKissmetricsRelay(options);
  context.network.use(relayRoute(relay), ...km.handlers);
  for (const [index, event] of EVENTS.slice(1).entries()) {
    browser.track(event, clock.seconds() + index + 1);
  }
  const flushed = await browser.flush();
  await relay.flush();

  // Another product's key through this relay: refused, never forwarded.
  const stolen = await interceptedFetch(
    `${RELAY}/e?_k=someone-elses-key&_p=${VISITOR}&_n=Free%20Ride`,
  );
  const stolenAnswer = (await stolen.json()) as { reason: string };
  const stats = relay.stats();
  await relay.close();

  const requests = km.requests().map(toRequestView);
  const people = km.people().map(toPerson);
  checks.push(
    checkEqual('through the relay: the ad-blocker had nothing to block', browser.blocked(), 0),
    checkEqual('through the relay: the relay answered 200 while Kissmetrics was down', whileDown, {
      delivered: 1,
      failed: 0,
      dropped: 0,
    }),
    checkEqual(
      'through the relay: a relay closed with Kissmetrics down kept the request in its spool',
      { remaining: closed.remaining, persisted: closed.persisted },
      { remaining: 1, persisted: true },
    ),
    checkEqual('through the relay: the browser delivered the other events', flushed, {
      delivered: EVENTS.length - 1,
      failed: 0,
      dropped: 0,
    }),
    checkEqual(
      'through the relay: Kissmetrics has every event once, on the visitor',
      people.map((person) => [person.identities, person.events.map((event) => event.name)]),
      [[[VISITOR], EVENTS]],
    ),
    checkEqual(
      "through the relay: each request carries the visitor's address and browser, not the relay's",
      requests
        .filter((request) => request.status === 'accepted')
        .map((request) => [request.params._ip, request.params._ua]),
      EVENTS.map(() => [VISITOR_IP, BROWSER]),
    ),
    checkEqual(
      "through the relay: another product's API key is refused (403 unknown_api_key)",
      [stolen.status, stolenAnswer.reason],
      [403, 'unknown_api_key'],
    ),
  );
  return {
    title: `cloud mode with endpoint ${RELAY}: the relay on the site's own domain`,
    about:
      '@kmkit/node/relay mounted at /km of the site (relay.handle, behind one trusted load ' +
      "balancer), forwarding through @kmkit/node's client with a spool; Kissmetrics is down for " +
      'the first event and the relay is restarted before it comes back',
    calls: [
      ...EVENTS.map((event) => ({ call: `km.track('${event}', { plan: 'pro' })` })),
      {
        call: `fetch('${RELAY}/e?_k=someone-elses-key&...')`,
        result: `${stolen.status} ${stolenAnswer.reason}`,
      },
    ],
    requests,
    facts: [
      {
        label: 'the restarted relay answered',
        value: `${stats.accepted} accepted, refused ${JSON.stringify(stats.refused)}`,
      },
      { label: 'first relay at close', value: JSON.stringify(closed) },
    ],
    people,
  };
}

/** A first-party relay: the same visitor behind an ad-blocker reaches Kissmetrics through it, not without it. */
export const relay: Flow = {
  name: 'relay',
  title:
    'A first-party relay: an ad-blocked visitor reaches Kissmetrics through it, and not without it',
  async run(context) {
    const checks: Check[] = [];
    const sections = [await withoutRelay(context, checks), await throughRelay(context, checks)];
    return { sections, checks };
  },
};
