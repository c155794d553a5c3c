// `@kmkit/browser/device`: device mode alone. Its client is the root entry's; its options have no
// `mode` to choose and none of cloud mode's.
import type { KissmetricsClient as RootClient } from '@kmkit/browser';
import {
  type ConsentState,
  createKissmetrics,
  type DeviceOptions,
  type KissmetricsClient,
  KmLibraryError,
  trackPageViews,
} from '@kmkit/browser/device';
import { expectTypeOf } from 'expect-type';

const km = createKissmetrics({ apiKey: 'key' });
expectTypeOf(km).toEqualTypeOf<KissmetricsClient>();
expectTypeOf<KissmetricsClient>().toEqualTypeOf<RootClient>();
createKissmetrics({ apiKey: 'key', mode: 'device', consent: 'pending', nonce: 'n0nce' });
expectTypeOf<DeviceOptions['mode']>().toEqualTypeOf<'device' | undefined>();
// @ts-expect-error apiKey is required
createKissmetrics({});
// @ts-expect-error the device entry has no cloud mode
createKissmetrics({ apiKey: 'key', mode: 'cloud' });
// @ts-expect-error cloud-only
createKissmetrics({ apiKey: 'key', endpoint: 'https://example.com/km' });
// @ts-expect-error cloud-only
createKissmetrics({ apiKey: 'key', autoEvents: false });
// @ts-expect-error a misspelt option
createKissmetrics({ apiKey: 'key', identityTimeout: 2000 });
km.track('Signed Up', { plan: 'pro' });
km.page('Docs', 'Pricing', { path: '/pricing' });
// @ts-expect-error an event name is a string
km.track(42);
km.setConsent('granted' satisfies ConsentState);
// @ts-expect-error not a consent state
km.setConsent('accepted');
expectTypeOf(km.identity()).toEqualTypeOf<Promise<string>>();
expectTypeOf(km.stats().consent).toEqualTypeOf<ConsentState>();
declare const caught: unknown;
if (KmLibraryError.isInstance(caught)) {
  expectTypeOf(caught.code).toEqualTypeOf<'library_unavailable'>();
}
expectTypeOf(trackPageViews(km)).toEqualTypeOf<() => void>();
