// `@kmkit/tapstream-bridge/server` under the `workerd` condition (Cloudflare Workers; Vercel Edge's
// `edge-light` names the same files): `@kmkit/node` is its fetch-only build there, so the client
// the forwarder makes takes that build's options (no spool, none of undici's).
import { createKissmetrics, type EdgeKissmetricsOptions } from '@kmkit/node';
import {
  createTapstreamForwarder,
  type TapstreamForwarder,
  type TapstreamForwarderOptions,
} from '@kmkit/tapstream-bridge/server';
import { expectTypeOf } from 'expect-type';

const forwarder = createTapstreamForwarder({
  secret: 'postback-secret',
  apiKey: 'key',
  fetch: globalThis.fetch,
  waitUntil: () => {},
});
expectTypeOf(forwarder).toEqualTypeOf<TapstreamForwarder>();
createTapstreamForwarder({ secret: 'postback-secret', client: createKissmetrics({ apiKey: 'k' }) });
const options: EdgeKissmetricsOptions = { apiKey: 'key', maxQueueLength: 100 };
createTapstreamForwarder({ secret: 'postback-secret', ...options });
// @ts-expect-error no spool on fetch-only runtimes
createTapstreamForwarder({ secret: 'postback-secret', apiKey: 'key', spool: { dir: '/tmp' } });
// @ts-expect-error no undici dispatcher on fetch-only runtimes
createTapstreamForwarder({ secret: 'postback-secret', apiKey: 'key', dispatcher: {} });
// @ts-expect-error client or apiKey, not both
createTapstreamForwarder({ secret: 's', client: forwarder.client, apiKey: 'key' });
// @ts-expect-error without a client, the API key is required
const keyless: TapstreamForwarderOptions = { secret: 's' };
declare const request: Request;
expectTypeOf(forwarder.handle(request)).toEqualTypeOf<Promise<Response>>();

export { keyless };
