// The CommonJS declarations (`dist/*.d.cts`), as a `require` user gets them (node16 only).
import { createKissmetrics, type KissmetricsClient, KmLibraryError } from '@kmkit/browser';
import { createKissmetrics as createDeviceClient } from '@kmkit/browser/device';
import { expectTypeOf } from 'expect-type';

const km = createKissmetrics({ apiKey: 'key', mode: 'cloud', consent: 'pending' });
expectTypeOf(km).toEqualTypeOf<KissmetricsClient>();
expectTypeOf(createDeviceClient({ apiKey: 'key' })).toEqualTypeOf<KissmetricsClient>();
km.track('Signed Up', { plan: 'pro' });
// @ts-expect-error the root entry needs a mode
createKissmetrics({ apiKey: 'key' });
// @ts-expect-error cloud-only option in device mode
createKissmetrics({ apiKey: 'key', mode: 'device', endpoint: 'https://example.com/km' });
// @ts-expect-error an event name is a string
km.track(42);
// @ts-expect-error not a consent state
km.setConsent('accepted');
km.on('drop', ({ reason }) => reason === 'consent_pending');
declare const caught: unknown;
if (KmLibraryError.isInstance(caught)) {
  expectTypeOf(caught.code).toEqualTypeOf<'library_unavailable'>();
}
