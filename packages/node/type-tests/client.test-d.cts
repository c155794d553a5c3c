// The CommonJS declarations (`dist/*.d.cts`), as a `require` user gets them (node16 only).
import { createKissmetrics, type KissmetricsClient } from '@kmkit/node';
import { createKissmetrics as createEdgeClient } from '@kmkit/node/edge';
import { expectTypeOf } from 'expect-type';

const km = createKissmetrics({ apiKey: 'key' });
expectTypeOf(km).toEqualTypeOf<KissmetricsClient>();
expectTypeOf(createEdgeClient({ apiKey: 'key' })).toEqualTypeOf<KissmetricsClient>();
km.track({ userId: 'bob', event: 'Signed Up', properties: { plan: 'pro' } });
// @ts-expect-error a misspelt option
createKissmetrics({ apikey: 'key' });
// @ts-expect-error an event name is a string
km.track({ userId: 'u', event: 42 });
// @ts-expect-error misspelt fields: evnt, userid
km.track({ evnt: 'typo', userid: 'u' });
// @ts-expect-error userId is a string or a number, traits an object
km.identify({ userId: { nested: true }, traits: 'nope' });
expectTypeOf(km.whenPersisted()).toEqualTypeOf<Promise<void>>();
