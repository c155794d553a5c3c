// The types users get from the built package (`dist/*.d.ts`): run by `pnpm check:types` under
// `moduleResolution` node16 and bundler, on each TypeScript version it lists. Every
// `@ts-expect-error` is a call that must not compile; the file compiling proves each one fails.
import type { CloseResult, FlushResult, KmErrorCode, TrackParams } from '@kmkit/core';
import {
  type CallResult,
  type ClientEvents,
  createKissmetrics,
  type KissmetricsClient,
  type KissmetricsOptions,
  KmValidationError,
} from '@kmkit/node';
import { expectTypeOf } from 'expect-type';

const km = createKissmetrics({ apiKey: 'key' });
expectTypeOf(km).toEqualTypeOf<KissmetricsClient>();

// --- options -------------------------------------------------------------------------------
// @ts-expect-error no options object
createKissmetrics();
// @ts-expect-error apiKey is required
createKissmetrics({});
// @ts-expect-error apiKey is a string
createKissmetrics({ apiKey: 12345 });
// @ts-expect-error a misspelt option
createKissmetrics({ apikey: 'key' });
// @ts-expect-error an option that does not exist
createKissmetrics({ apiKey: 'key', retries: 3 });
// @ts-expect-error an unknown preset
createKissmetrics({ apiKey: 'key', preset: 'segmnet' });
// @ts-expect-error a spool needs its dir
createKissmetrics({ apiKey: 'key', spool: {} });
createKissmetrics({
  apiKey: 'key',
  preset: 'segment',
  retry: { maxAttempts: 3 },
  spool: { dir: '/var/lib/km', fsync: 'always' },
  overflow: 'drop-oldest',
});
expectTypeOf<KissmetricsOptions['preset']>().toEqualTypeOf<
  'default' | 'rudderstack' | 'segment' | undefined
>();

// --- track ---------------------------------------------------------------------------------
expectTypeOf(km.track({ userId: 'bob', event: 'Signed Up' })).toEqualTypeOf<CallResult>();
km.track({ anonymousId: 'visitor-1', event: 'Signed Up' });
km.track({ userId: 42, anonymousId: 'visitor-1', event: 'Paid', properties: { plan: { id: 3 } } });
km.track({
  userId: 'bob',
  event: 'Paid',
  timestamp: new Date(),
  messageId: 'm-1',
  context: { ip: '203.0.113.9' },
  integrations: { All: true },
});
// @ts-expect-error an event name is a string
km.track({ userId: 'u', event: 42 });
// @ts-expect-error misspelt fields: evnt, userid
km.track({ evnt: 'typo', userid: 'u' });
// @ts-expect-error a misspelt field beside correct ones
km.track({ userId: 'u', event: 'Paid', propertis: { plan: 'pro' } });
// @ts-expect-error no identity: userId or anonymousId is required
km.track({ event: 'Paid' });
// @ts-expect-error no event name
km.track({ userId: 'u' });
// @ts-expect-error properties are an object
km.track({ userId: 'u', event: 'Paid', properties: 'plan=pro' });
// @ts-expect-error the method sets type itself
km.track({ type: 'track', userId: 'u', event: 'Paid' });

// An identity that may be absent needs the other one for sure.
declare const maybeUser: string | undefined;
km.track({ userId: maybeUser, anonymousId: 'visitor-1', event: 'Paid' });
// @ts-expect-error both may be absent
km.track({ userId: maybeUser, anonymousId: maybeUser, event: 'Paid' });

// Properties typed by an interface (no index signature) fit.
interface Order {
  orderId: string;
  total: number;
}
declare const order: Order;
km.track({ userId: 'u', event: 'Order Completed', properties: order });
// A message from a pipeline, held in a variable, may carry fields of its own.
const fromPipeline = { userId: 'u', event: 'Paid', rudderId: 'r-1', request_ip: '203.0.113.9' };
km.track(fromPipeline);
expectTypeOf(km.track).parameter(0).toEqualTypeOf<TrackParams>();

// --- identify, page, screen, alias, group --------------------------------------------------
km.identify({ userId: 'bob', anonymousId: 'visitor-1', traits: { plan: 'pro' } });
// @ts-expect-error userId is a string or a number, traits an object
km.identify({ userId: { nested: true }, traits: 'nope' });
// @ts-expect-error traits, not trait
km.identify({ userId: 'bob', trait: { plan: 'pro' } });
km.page({ userId: 'bob', name: 'Pricing', category: 'Docs', properties: { path: '/pricing' } });
// @ts-expect-error no identity
km.page({ name: 'Pricing' });
km.screen({ anonymousId: 'device-1', name: 'Home' });
km.alias({ userId: 'bob', previousId: 'visitor-1' });
km.alias({ userId: 'bob', anonymousId: 'visitor-1' });
// @ts-expect-error an alias needs the earlier identity: previousId or anonymousId
km.alias({ userId: 'bob' });
// @ts-expect-error an alias needs userId, the new identity
km.alias({ previousId: 'visitor-1' });
km.group({ userId: 'bob', groupId: 'acme', traits: { plan: 'enterprise' } });
// @ts-expect-error a group call needs groupId
km.group({ userId: 'bob', traits: { plan: 'enterprise' } });

// --- results, events, errors ---------------------------------------------------------------
expectTypeOf(km.flush()).toEqualTypeOf<Promise<FlushResult>>();
expectTypeOf(km.close({ timeoutMs: 1000 })).toEqualTypeOf<Promise<CloseResult>>();
// Resolves once what was accepted is on disk (rejects with a KmSpoolError when the sync fails).
expectTypeOf(km.whenPersisted()).toEqualTypeOf<Promise<void>>();
// @ts-expect-error it takes nothing
km.whenPersisted({ timeoutMs: 1000 });
km.on('retry', (retry) => {
  expectTypeOf(retry).toEqualTypeOf<ClientEvents['retry']>();
  expectTypeOf(retry.reason).toEqualTypeOf<'status' | 'network' | 'timeout'>();
});
km.on('drop', (drop) => expectTypeOf(drop.reason).toBeString());
// @ts-expect-error no such event
km.on('delivery', () => {});
expectTypeOf(km.on('error', () => {})).toEqualTypeOf<() => void>();
declare const caught: unknown;
if (KmValidationError.isInstance(caught)) expectTypeOf(caught.code).toEqualTypeOf<KmErrorCode>();
