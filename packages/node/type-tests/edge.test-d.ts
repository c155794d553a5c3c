// `@kmkit/node/edge` has the same calls as the Node entry, and its own options (no spool).
import { type CallResult, createKissmetrics, type KissmetricsClient } from '@kmkit/node/edge';
import { expectTypeOf } from 'expect-type';

const km = createKissmetrics({ apiKey: 'key', fetch: globalThis.fetch, waitUntil: () => {} });
expectTypeOf(km).toEqualTypeOf<KissmetricsClient>();
expectTypeOf(km.track({ userId: 'bob', event: 'Signed Up' })).toEqualTypeOf<CallResult>();
// @ts-expect-error no spool on fetch-only runtimes
createKissmetrics({ apiKey: 'key', spool: { dir: '/tmp' } });
// @ts-expect-error apiKey is required
createKissmetrics({ fetch: globalThis.fetch });
// @ts-expect-error an event name is a string
km.track({ userId: 'u', event: 42 });
// @ts-expect-error misspelt fields: evnt, userid
km.track({ evnt: 'typo', userid: 'u' });
// @ts-expect-error userId is a string or a number, traits an object
km.identify({ userId: { nested: true }, traits: 'nope' });
