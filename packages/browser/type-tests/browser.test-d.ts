// The types users get from the built `@kmkit/browser` (`dist/*.d.ts`): run by `pnpm check:types`
// under `moduleResolution` node16 and bundler, with the DOM's types and not Node's, on each
// TypeScript version it lists. Every `@ts-expect-error` is a call that must not compile; the file
// compiling proves each one fails.
import {
  type AutoEventsOption,
  type CallDrop,
  type CallName,
  type ClientDrop,
  type CloudOptions,
  type ConsentState,
  createKissmetrics,
  type DeviceOptions,
  type KissmetricsClient,
  type KissmetricsOptions,
  type KissmetricsStats,
  KmLibraryError,
  type RequestDrop,
  trackPageViews,
} from '@kmkit/browser';
import type { DropReason, FlushResult, KmErrorCode, TrackingRequest } from '@kmkit/core';
import { expectTypeOf } from 'expect-type';

// --- options: a union discriminated by `mode` ----------------------------------------------
const km = createKissmetrics({ apiKey: 'key', mode: 'cloud' });
expectTypeOf(km).toEqualTypeOf<KissmetricsClient>();
expectTypeOf(
  createKissmetrics({ apiKey: 'key', mode: 'device' }),
).toEqualTypeOf<KissmetricsClient>();
// @ts-expect-error no options object
createKissmetrics();
// @ts-expect-error the root entry needs a mode (the device entry does not)
createKissmetrics({ apiKey: 'key' });
// @ts-expect-error a mode is 'device' or 'cloud'
createKissmetrics({ apiKey: 'key', mode: 'server' });
// @ts-expect-error apiKey is required
createKissmetrics({ mode: 'cloud' });
// @ts-expect-error a misspelt option
createKissmetrics({ apikey: 'key', mode: 'cloud' });
// @ts-expect-error cloud-only: device mode sends through the Kissmetrics JS, not to an endpoint
createKissmetrics({ apiKey: 'key', mode: 'device', endpoint: 'https://example.com/km' });
// @ts-expect-error cloud-only: the Kissmetrics JS records its own automatic events
createKissmetrics({ apiKey: 'key', mode: 'device', autoEvents: false });
// @ts-expect-error cloud-only: the Kissmetrics JS keeps its own queue
createKissmetrics({ apiKey: 'key', mode: 'device', storage: null });
// @ts-expect-error device-only: cloud mode loads no script
createKissmetrics({ apiKey: 'key', mode: 'cloud', hosts: { library: 'i.kissmetrics.com' } });
// @ts-expect-error device-only
createKissmetrics({ apiKey: 'key', mode: 'cloud', nonce: 'n0nce' });
createKissmetrics({
  apiKey: 'key',
  mode: 'cloud',
  endpoint: 'https://example.com/km',
  cors: true,
  maxQueryBytes: 4096,
  concurrency: 2,
  retry: { maxAttempts: 5 },
  maxQueueLength: 500,
  maxQueueBytes: 256 * 1024,
  overflow: 'drop-oldest',
  storage: null,
  fetch: window.fetch,
  autoEvents: { visitedSite: false },
  pageContext: false,
  preset: 'segment',
  limits: { valueLength: 1024 },
  consent: 'pending',
  respectGlobalPrivacyControl: false,
});
createKissmetrics({
  apiKey: 'key',
  mode: 'device',
  hosts: { library: 'i.kissmetrics.com', scripts: 'https://cdn.example.com/km' },
  nonce: 'n0nce',
  identityTimeoutMs: 2000,
  consent: 'denied',
});
declare const options: KissmetricsOptions;
if (options.mode === 'cloud') {
  expectTypeOf(options).toEqualTypeOf<CloudOptions>();
  expectTypeOf(options.endpoint).toEqualTypeOf<string | undefined>();
} else {
  expectTypeOf(options).toMatchTypeOf<DeviceOptions>();
}
// @ts-expect-error an unknown preset
createKissmetrics({ apiKey: 'key', mode: 'cloud', preset: 'segmnet' });
// @ts-expect-error storage is a Storage or null
createKissmetrics({ apiKey: 'key', mode: 'cloud', storage: 'session' });
// @ts-expect-error an unknown overflow policy
createKissmetrics({ apiKey: 'key', mode: 'cloud', overflow: 'drop-newest' });

// --- automatic events and page context -----------------------------------------------------
expectTypeOf<AutoEventsOption>().toEqualTypeOf<
  | boolean
  | {
      readonly visitedSite?: boolean;
      readonly adCampaignHit?: boolean;
      readonly searchEngineHit?: boolean;
    }
>();
createKissmetrics({ apiKey: 'key', mode: 'cloud', autoEvents: false });
createKissmetrics({ apiKey: 'key', mode: 'cloud', autoEvents: { adCampaignHit: false } });
// @ts-expect-error a misspelt automatic event
createKissmetrics({ apiKey: 'key', mode: 'cloud', autoEvents: { visitedsite: false } });
// @ts-expect-error true, false or an object
createKissmetrics({ apiKey: 'key', mode: 'cloud', autoEvents: 'all' });
// @ts-expect-error pageContext is a boolean
createKissmetrics({ apiKey: 'key', mode: 'cloud', pageContext: ['url'] });

// --- positional calls ----------------------------------------------------------------------
expectTypeOf(km.track('Signed Up')).toBeVoid();
km.track('Signed Up', { plan: 'pro', nested: { a: 1 } });
// @ts-expect-error an event name is required
km.track();
// @ts-expect-error an event name is a string
km.track(42);
// @ts-expect-error positional: not the server client's message object
km.track({ event: 'Signed Up', properties: {} });
// @ts-expect-error properties are an object
km.track('Signed Up', 'plan=pro');
km.identify('user-1');
km.identify(42, { plan: 'pro' });
km.identify(null, { plan: 'pro' });
km.identify({ plan: 'pro' });
// @ts-expect-error an id is a string or a number
km.identify(true);
// @ts-expect-error traits are an object
km.identify('user-1', 'pro');
km.page();
km.page('home');
km.page('home', { path: '/' });
km.page('Docs', 'Pricing');
km.page('Docs', 'Pricing', { path: '/pricing' });
km.page(null, 'Pricing', { path: '/pricing' });
km.page({ path: '/' });
// @ts-expect-error the third argument is the properties
km.page('Docs', 'Pricing', '/pricing');
// @ts-expect-error a name is a string
km.page(42);
km.screen('Settings');
km.screen('Account', 'Settings', { tab: 'billing' });
km.alias('user-1');
km.alias('user-1', 'visitor-1');
km.alias(42, 7);
// @ts-expect-error alias needs the new id
km.alias();
km.group('acme', { plan: 'enterprise' });
// @ts-expect-error a group call needs the group id
km.group();
km.send({ type: 'track', event: 'Signed Up', properties: { plan: 'pro' } });
// @ts-expect-error a spec message has a type
km.send({ event: 'Signed Up' });
km.reset();
km.reset({ clearQueue: true });
// @ts-expect-error a misspelt reset option
km.reset({ clearqueue: true });
expectTypeOf(km.identity()).toEqualTypeOf<Promise<string>>();
expectTypeOf(km.flush()).toEqualTypeOf<Promise<FlushResult>>();

// --- consent -------------------------------------------------------------------------------
expectTypeOf<ConsentState>().toEqualTypeOf<'granted' | 'pending' | 'denied'>();
km.setConsent('granted');
km.setConsent('denied');
// @ts-expect-error not a consent state
km.setConsent('accepted');
// @ts-expect-error not a boolean
km.setConsent(true);
expectTypeOf(km.forget()).toBeVoid();
// @ts-expect-error forget takes nothing
km.forget({ keepQueue: true });
// @ts-expect-error not a consent state
createKissmetrics({ apiKey: 'key', mode: 'cloud', consent: 'yes' });
// @ts-expect-error a boolean
createKissmetrics({ apiKey: 'key', mode: 'cloud', respectGlobalPrivacyControl: 'on' });

// --- events and stats ----------------------------------------------------------------------
expectTypeOf<ClientDrop['reason']>().toEqualTypeOf<
  DropReason | 'reset' | 'consent_denied' | 'forget' | 'consent_pending'
>();
km.on('drop', (drop) => {
  expectTypeOf(drop).toEqualTypeOf<ClientDrop>();
  if (drop.call === undefined) {
    expectTypeOf(drop).toEqualTypeOf<RequestDrop>();
    expectTypeOf(drop.request).toEqualTypeOf<TrackingRequest>();
  } else {
    expectTypeOf(drop).toEqualTypeOf<CallDrop>();
    expectTypeOf(drop.reason).toEqualTypeOf<'consent_pending' | 'consent_denied' | 'forget'>();
    expectTypeOf(drop.call).toEqualTypeOf<CallName>();
  }
});
km.on('consent', ({ state }) => expectTypeOf(state).toEqualTypeOf<ConsentState>());
km.on('invalid', ({ call, error }) => {
  expectTypeOf(call).toEqualTypeOf<CallName | 'setConsent'>();
  expectTypeOf(error.code).toEqualTypeOf<KmErrorCode>();
});
km.on('retry', ({ reason }) =>
  expectTypeOf(reason).toEqualTypeOf<'status' | 'network' | 'timeout'>(),
);
km.on('warning', (warning) => expectTypeOf(warning.message).toBeString());
// @ts-expect-error no such event
km.on('delivery', () => {});
// @ts-expect-error a consent change carries a state, not a boolean
km.on('consent', ({ granted }: { granted: boolean }) => granted);
expectTypeOf(km.on('drop', () => {})).toEqualTypeOf<() => void>();
const stats = km.stats();
expectTypeOf(stats).toEqualTypeOf<KissmetricsStats>();
expectTypeOf(stats.consent).toEqualTypeOf<ConsentState>();
expectTypeOf(stats.held).toBeNumber();
expectTypeOf(stats.invalid).toBeNumber();
expectTypeOf(stats.sender).toBeBoolean();
expectTypeOf(stats.queued).toBeNumber();
expectTypeOf(stats.dropped).toBeNumber();

// --- errors and page views -----------------------------------------------------------------
declare const caught: unknown;
if (KmLibraryError.isInstance(caught)) {
  expectTypeOf(caught).toEqualTypeOf<KmLibraryError>();
  expectTypeOf(caught.code).toEqualTypeOf<'library_unavailable'>();
}
km.identity().catch((error: unknown) => {
  if (KmLibraryError.isInstance(error)) expectTypeOf(error.path).toBeString();
});
expectTypeOf(trackPageViews(km)).toEqualTypeOf<() => void>();
trackPageViews({ page: () => {} });
// @ts-expect-error a client (anything with page())
trackPageViews({});
