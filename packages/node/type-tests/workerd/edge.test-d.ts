// `@kmkit/node` and `@kmkit/node/relay` under the `workerd` condition (Cloudflare Workers; Vercel
// Edge's `edge-light` names the same files): the fetch-only builds, which have no spool and none
// of undici's options.
import {
  createKissmetrics,
  type EdgeKissmetricsOptions,
  type KissmetricsClient,
} from '@kmkit/node';
import {
  createKissmetricsRelay,
  type KissmetricsRelay,
  type KissmetricsRelayOptions,
} from '@kmkit/node/relay';
import { expectTypeOf } from 'expect-type';

// The root entry is the edge client here.
const km = createKissmetrics({ apiKey: 'key', fetch: globalThis.fetch, waitUntil: () => {} });
expectTypeOf(km).toEqualTypeOf<KissmetricsClient>();
expectTypeOf<Parameters<typeof createKissmetrics>[0]>().toEqualTypeOf<EdgeKissmetricsOptions>();
// @ts-expect-error no spool on fetch-only runtimes
createKissmetrics({ apiKey: 'key', spool: { dir: '/tmp' } });
km.track({ userId: 'bob', event: 'Signed Up' });
expectTypeOf(km.whenPersisted()).toEqualTypeOf<Promise<void>>();

// The relay is the edge relay, and its options type is the one its function takes.
const relay = createKissmetricsRelay({ apiKey: 'key', waitUntil: () => {} });
expectTypeOf(relay).toEqualTypeOf<KissmetricsRelay>();
const options: KissmetricsRelayOptions = { apiKeys: ['key'], allowedOrigins: '*' };
createKissmetricsRelay(options);
// @ts-expect-error no spool on fetch-only runtimes
createKissmetricsRelay({ apiKey: 'key', spool: { dir: '/tmp' } });
// @ts-expect-error no undici dispatcher on fetch-only runtimes
createKissmetricsRelay({ apiKey: 'key', dispatcher: {} });
// @ts-expect-error no keep-alive pool on fetch-only runtimes
createKissmetricsRelay({ apiKey: 'key', keepAliveTimeoutMs: 1000 });
// @ts-expect-error an API key is required
createKissmetricsRelay({ allowedOrigins: '*' });
declare const request: Request;
expectTypeOf(relay.handle(request)).toEqualTypeOf<Promise<Response>>();
