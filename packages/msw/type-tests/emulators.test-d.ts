// The types users get from the built `@kmkit/msw` (`dist/*.d.ts`): the Kissmetrics and Tapstream
// emulators (options, MSW handlers, what they recorded, reset, fault injection) and the helpers
// beside them, run by `pnpm check:types` under node16 and bundler, on each TypeScript version it
// lists. Every `@ts-expect-error` is a call that must not compile; the file compiling proves each
// one fails.
import {
  type AttributeOptions,
  createFaultInjector,
  createKissmetricsEmulator,
  createTapstreamEmulator,
  expandPostbackUrl,
  type Fault,
  type FaultController,
  type FaultCounts,
  type FaultInjector,
  type FaultKind,
  type FaultPlan,
  KISSMETRICS_HOSTS,
  type KissmetricsEmulator,
  type KissmetricsEmulatorOptions,
  type KissmetricsEvent,
  type KissmetricsPerson,
  type KissmetricsRoute,
  kissmetricsLibraryScript,
  type PostbackCall,
  type PostbackContext,
  type PropertyChange,
  type ReceivedTrackingRequest,
  TAPSTREAM_HOSTS,
  type TapstreamEmulator,
  type TapstreamRoute,
  type TapstreamSession,
  type TapstreamTimeline,
  type TimelineSummary,
  TRACKING_GIF,
  type TrackingPath,
  type TrackingRejection,
  type TrackingStatus,
  tapstreamTrackerScript,
  toKissmetricsName,
  toTimelineSummary,
  unsafeEventNameReason,
} from '@kmkit/msw';
import { expectTypeOf } from 'expect-type';
import type { HttpHandler } from 'msw';

// --- the Kissmetrics emulator: options -----------------------------------------------------
const km = createKissmetricsEmulator();
expectTypeOf(km).toEqualTypeOf<KissmetricsEmulator>();
createKissmetricsEmulator({
  apiKeys: ['key'],
  endpoints: ['https://example.com/km'],
  now: () => Date.now(),
  faults: { e: { answers: [503] }, '*': { rate: 0.1 } },
  seed: 7,
  limits: { name: 255, value: 512, history: 1000 },
  library: { endpoint: 'https://example.com/km', autoEvents: { visitedSite: true } },
  cors: false,
});
// @ts-expect-error apiKeys is a list
createKissmetricsEmulator({ apiKeys: 'key' });
// @ts-expect-error a misspelt option (endpoints)
createKissmetricsEmulator({ endpoint: 'https://example.com/km' });
// @ts-expect-error a Tapstream route: the Kissmetrics emulator has e, s, a and js
createKissmetricsEmulator({ faults: { lookup: { answers: [503] } } });
// @ts-expect-error the library's API key comes from the page, not the emulator
createKissmetricsEmulator({ library: { apiKey: 'key' } });
// @ts-expect-error limits are numbers
createKissmetricsEmulator({ limits: { value: '512' } });
// @ts-expect-error now is a clock (a function), not a time
createKissmetricsEmulator({ now: 1_714_564_800_000 });
const kmOptions: KissmetricsEmulatorOptions = { apiKeys: ['key'] };
createKissmetricsEmulator(kmOptions);

// --- handlers and what was recorded --------------------------------------------------------
expectTypeOf(km.handlers).toEqualTypeOf<readonly HttpHandler[]>();
const person = km.person('bob');
expectTypeOf(person).toEqualTypeOf<KissmetricsPerson | undefined>();
if (person) {
  expectTypeOf(person.identities).toEqualTypeOf<readonly string[]>();
  expectTypeOf(person.events).toEqualTypeOf<readonly KissmetricsEvent[]>();
  expectTypeOf(person.events[0]!.properties).toEqualTypeOf<Readonly<Record<string, string>>>();
  expectTypeOf(person.properties).toEqualTypeOf<Readonly<Record<string, string>>>();
  // @ts-expect-error what the emulator recorded is read-only
  person.identities.push('alice');
}
expectTypeOf(km.people()).toEqualTypeOf<KissmetricsPerson[]>();
expectTypeOf(km.propertyHistory('bob', 'plan')).toEqualTypeOf<PropertyChange[]>();
// @ts-expect-error a property's history is asked for by identity and property name
km.propertyHistory('bob');
const [request] = km.requests();
expectTypeOf(km.requests()).toEqualTypeOf<readonly ReceivedTrackingRequest[]>();
expectTypeOf(km.rejected()).toEqualTypeOf<readonly ReceivedTrackingRequest[]>();
if (request) {
  expectTypeOf(request.path).toEqualTypeOf<TrackingPath>();
  expectTypeOf(request.status).toEqualTypeOf<TrackingStatus>();
  expectTypeOf(request.reason).toEqualTypeOf<TrackingRejection | undefined>();
  expectTypeOf(request.params).toEqualTypeOf<Readonly<Record<string, string>>>();
  expectTypeOf(request.receivedAt).toBeNumber();
}
expectTypeOf<TrackingStatus>().toEqualTypeOf<'accepted' | 'rejected' | 'duplicate'>();
// @ts-expect-error a tracking path has its slash
const bare: TrackingPath = 'e';
expectTypeOf(km.reset()).toBeVoid();
// @ts-expect-error people are looked up by identity
km.person();

// --- fault injection -----------------------------------------------------------------------
expectTypeOf(km.faults).toEqualTypeOf<FaultController<KissmetricsRoute>>();
km.faults.set('e', {
  answers: [503, 'network-error', { status: 429, retryAfter: 2 }, { delayMs: 100 }, 'ok'],
  rate: 0.25,
  failWith: { status: 503, retryAfter: new Date() },
});
km.faults.set('*', { rate: 1 });
km.faults.clear('e');
km.faults.clear();
expectTypeOf(km.faults.calls('a')).toBeNumber();
const counts = km.faults.counts();
expectTypeOf(counts).toEqualTypeOf<FaultCounts<KissmetricsRoute>>();
expectTypeOf(counts.e?.['503']).toEqualTypeOf<number | undefined>();
expectTypeOf(counts.e?.['network-error']).toEqualTypeOf<number | undefined>();
// @ts-expect-error not a route of the Kissmetrics emulator
km.faults.set('lookup', { answers: [503] });
// @ts-expect-error not a fault: a status, { status }, 'network-error', { delayMs } or 'ok'
km.faults.set('e', { answers: ['timeout'] });
// @ts-expect-error a rate is a probability, a number
km.faults.set('e', { rate: '10%' });
// @ts-expect-error calls are counted per route, not for '*'
km.faults.calls('*');
// @ts-expect-error the plan goes with its route
km.faults.set({ answers: [503] });
// @ts-expect-error a fault kind is a status, 'network-error' or 'delay'
const kind: FaultKind = 'timeout';
const faults: readonly Fault[] = [500, 'ok', { delayMs: 10 }];
const plan: FaultPlan = { answers: faults, failWith: 503 };
km.faults.set('s', plan);

// --- the Tapstream emulator ----------------------------------------------------------------
const ts = createTapstreamEmulator({
  accounts: [{ name: 'acme', secret: 'sdk-secret' }],
  postbacks: [{ url: 'https://example.com/ts?id=TS{hit.custom_parameters.km_identity}' }],
  now: () => Date.now(),
  faults: { lookup: { answers: [503, 503] } },
  seed: 3,
  fetch: globalThis.fetch,
  blockingTimeoutMs: 5000,
  tracker: { cookieName: '_tsclick', pageTracker: 'javascript_tracker' },
  cors: true,
});
expectTypeOf(ts).toEqualTypeOf<TapstreamEmulator>();
expectTypeOf(ts.handlers).toEqualTypeOf<readonly HttpHandler[]>();
createTapstreamEmulator({ postbacks: [{ url: 'https://example.com/ts', events: ['install'] }] });
// @ts-expect-error an account has its SDK secret
createTapstreamEmulator({ accounts: [{ name: 'acme' }] });
// @ts-expect-error a postback is a template object ({ url, events? }), not a URL
createTapstreamEmulator({ postbacks: ['https://example.com/ts'] });
// @ts-expect-error the tracker's API base is the emulator's own
createTapstreamEmulator({ tracker: { apiBase: 'https://example.com' } });
// @ts-expect-error a Kissmetrics route: the Tapstream emulator has js, hit, event, lookup, summary
createTapstreamEmulator({ faults: { e: { answers: [503] } } });
expectTypeOf(ts.timelines()).toEqualTypeOf<TapstreamTimeline[]>();
const timeline = ts.timeline('timeline-1');
expectTypeOf(timeline).toEqualTypeOf<TapstreamTimeline | undefined>();
expectTypeOf(timeline?.hits[0]?.custom_parameters).toEqualTypeOf<
  Readonly<Record<string, string>> | undefined
>();
expectTypeOf(ts.sessions()).toEqualTypeOf<TapstreamSession[]>();
expectTypeOf(ts.sessions()[0]!.timeline).toEqualTypeOf<string | null>();
expectTypeOf(ts.attribute('uuid', 'timeline-1')).toBeVoid();
const delayed: AttributeOptions = { delayMs: 2000 };
ts.attribute('uuid', 'timeline-1', delayed);
// @ts-expect-error the session and the timeline it belongs to
ts.attribute('uuid');
// @ts-expect-error a misspelt option (delayMs)
ts.attribute('uuid', 'timeline-1', { delay: 2000 });
expectTypeOf(ts.postbacks()).toEqualTypeOf<PostbackCall[]>();
expectTypeOf(ts.postbacks()[0]!.status).toEqualTypeOf<number | undefined>();
expectTypeOf(ts.settled()).toEqualTypeOf<Promise<void>>();
expectTypeOf(ts.reset()).toBeVoid();
expectTypeOf(ts.faults).toEqualTypeOf<FaultController<TapstreamRoute>>();
ts.faults.set('summary', { answers: [{ status: 429, retryAfter: '1' }] });
// @ts-expect-error not a route of the Tapstream emulator
ts.faults.set('e', { answers: [503] });

// --- helpers -------------------------------------------------------------------------------
const context: PostbackContext = {
  hit: { id: 1, tracker: 't', created: 1, session_id: 'tl', custom_parameters: {} },
  event: { name: 'install', created: 1, session: 'u', ip: '', custom_parameters: {} },
};
expectTypeOf(expandPostbackUrl('https://example.com/ts?e=TS{event.name}', context)).toBeString();
// @ts-expect-error the context has the hit and the event
expandPostbackUrl('https://example.com/ts', { event: context.event });
declare const conversion: Parameters<typeof toTimelineSummary>[0];
expectTypeOf(toTimelineSummary(conversion)).toEqualTypeOf<TimelineSummary>();
expectTypeOf(unsafeEventNameReason('install')).toEqualTypeOf<string | undefined>();
expectTypeOf(kissmetricsLibraryScript({ autoEvents: true })).toBeString();
expectTypeOf(tapstreamTrackerScript()).toBeString();
expectTypeOf(toKissmetricsName('Signed Up')).toBeString();
expectTypeOf(TRACKING_GIF).toMatchTypeOf<Uint8Array>();
expectTypeOf(KISSMETRICS_HOSTS.tracking).toEqualTypeOf<
  readonly ['trk.kissmetrics.io', 'trk.kissmetrics.com']
>();
expectTypeOf(TAPSTREAM_HOSTS.reporting).toEqualTypeOf<'reporting.tapstream.com'>();

// Fault injection for an emulator of your own.
const injector = createFaultInjector({ routes: ['track', 'batch'], cors: true });
expectTypeOf(injector).toEqualTypeOf<FaultInjector<'track' | 'batch'>>();
expectTypeOf(injector.answer('track', () => new Response(null))).toEqualTypeOf<Promise<Response>>();
// @ts-expect-error not one of its routes
injector.answer('page', () => new Response(null));

export { bare, kind };
