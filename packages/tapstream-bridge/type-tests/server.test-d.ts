// `@kmkit/tapstream-bridge/server` as Node resolves it: the postback forwarder (its options are its
// own and either `client` or the options of the `@kmkit/node` client it makes, never both), and
// the postback URL. The `workerd` build's is in `workerd/`.
import { createServer } from 'node:http';
import type { CloseResult, FlushResult } from '@kmkit/core';
import { createKissmetrics, type KissmetricsClient } from '@kmkit/node';
import {
  createTapstreamForwarder,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_PART_TIMEOUT_MS,
  type ForwarderEvents,
  type ForwarderServerOptions,
  type ForwarderStats,
  GENERIC_IDENTITIES,
  isGenericIdentity,
  isKmValidationError,
  KmValidationError,
  type NodeListener,
  POSTBACK_PARAMETERS,
  type PostbackAnswer,
  type PostbackOutcome,
  type PostbackReason,
  type PostbackUrlTemplateOptions,
  postbackUrlTemplate,
  type TapstreamForwarder,
  type TapstreamForwarderOptions,
  type TapstreamPostback,
} from '@kmkit/tapstream-bridge/server';
import { expectTypeOf } from 'expect-type';

// --- options: client or the client's options -----------------------------------------------
const client = createKissmetrics({ apiKey: 'key' });
const forwarder = createTapstreamForwarder({ secret: 'postback-secret', apiKey: 'key' });
expectTypeOf(forwarder).toEqualTypeOf<TapstreamForwarder>();
createTapstreamForwarder({ secret: 'postback-secret', client });
createTapstreamForwarder({
  secret: 'postback-secret',
  apiKey: 'key',
  endpoint: 'http://127.0.0.1:8080',
  spool: { dir: './kmkit-spool', fsync: 'always' },
  retry: { maxAttempts: 5 },
  identityField: 'kmid',
  eventName: (parameters) => parameters.event?.replace(/^ios-/, ''),
  properties: ({ tracker }) => ({ 'Tapstream Tracker': tracker }),
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  headersTimeoutMs: DEFAULT_REQUEST_PART_TIMEOUT_MS,
  bodyTimeoutMs: 10_000,
});
createTapstreamForwarder({
  secret: 'postback-secret',
  client,
  eventName: 'App Event',
  properties: (postback) => {
    expectTypeOf(postback).toEqualTypeOf<TapstreamPostback>();
    expectTypeOf(postback.time).toBeNumber();
    expectTypeOf(postback.tracker).toEqualTypeOf<string | undefined>();
    return undefined;
  },
});
// @ts-expect-error client or apiKey, not both: the forwarder would not know which to record through
createTapstreamForwarder({ secret: 'postback-secret', client, apiKey: 'key' });
// @ts-expect-error a client's option beside a client of yours: set it on your client
createTapstreamForwarder({ secret: 'postback-secret', client, spool: { dir: './kmkit-spool' } });
// @ts-expect-error without a client, the API key of the one it makes is required
createTapstreamForwarder({ secret: 'postback-secret' });
// @ts-expect-error the secret is required: only Tapstream may post
createTapstreamForwarder({ apiKey: 'key' });
// @ts-expect-error the secret is required, with a client too
createTapstreamForwarder({ client });
// @ts-expect-error no options object
createTapstreamForwarder();
// @ts-expect-error a misspelt option (identityField)
createTapstreamForwarder({ secret: 'postback-secret', apiKey: 'key', identityFeild: 'kmid' });
// @ts-expect-error a misspelt option of the client it makes (endpoint)
createTapstreamForwarder({ secret: 'postback-secret', apiKey: 'key', endpiont: 'http://x' });
// @ts-expect-error a client is a @kmkit/node client, not its options
createTapstreamForwarder({ secret: 'postback-secret', client: { apiKey: 'key' } });
// @ts-expect-error eventName is a name or a function of the parameters
createTapstreamForwarder({ secret: 'postback-secret', apiKey: 'key', eventName: 42 });
// @ts-expect-error a spool needs its dir
createTapstreamForwarder({ secret: 'postback-secret', apiKey: 'key', spool: {} });
// Options held in a variable keep the rule.
const fromConfig: TapstreamForwarderOptions = { secret: 's', apiKey: 'key', maxBodyBytes: 4096 };
createTapstreamForwarder(fromConfig);
const shared: TapstreamForwarderOptions = { secret: 's', client };
createTapstreamForwarder(shared);
// @ts-expect-error both
const both: TapstreamForwarderOptions = { secret: 's', client, apiKey: 'key' };
// @ts-expect-error neither
const neither: TapstreamForwarderOptions = { secret: 's' };

// --- serving -------------------------------------------------------------------------------
declare const request: Request;
expectTypeOf(forwarder.handle(request)).toEqualTypeOf<Promise<Response>>();
// @ts-expect-error a web Request, not a URL
forwarder.handle('https://example.com/tapstream?secret=s');
expectTypeOf(forwarder.listener).toMatchTypeOf<NodeListener>();
expectTypeOf(forwarder.serverOptions).toEqualTypeOf<ForwarderServerOptions>();
expectTypeOf(forwarder.serverOptions.headersTimeout).toBeNumber();
createServer(forwarder.serverOptions, forwarder.listener).listen(8080);
createServer(forwarder.listener);
expectTypeOf(forwarder.client).toEqualTypeOf<KissmetricsClient>();
expectTypeOf(forwarder.flush()).toEqualTypeOf<Promise<FlushResult>>();
// An injected client is yours to close: then close() resolves undefined.
expectTypeOf(forwarder.close()).toEqualTypeOf<Promise<CloseResult | undefined>>();
forwarder.close({ timeoutMs: 5000 });
// @ts-expect-error a misspelt close option
forwarder.close({ timeout: 5000 });

// --- answers and stats ---------------------------------------------------------------------
forwarder.on('postback', (answer) => {
  expectTypeOf(answer).toEqualTypeOf<PostbackAnswer>();
  expectTypeOf(answer).toEqualTypeOf<ForwarderEvents['postback']>();
  expectTypeOf(answer.outcome).toEqualTypeOf<PostbackOutcome>();
  expectTypeOf(answer.reason).toEqualTypeOf<PostbackReason | undefined>();
  expectTypeOf(answer.status).toBeNumber();
  expectTypeOf(answer.postback).toEqualTypeOf<TapstreamPostback | undefined>();
});
expectTypeOf(forwarder.on('postback', () => {})).toEqualTypeOf<() => void>();
// @ts-expect-error no such event
forwarder.on('answer', () => {});
expectTypeOf<PostbackOutcome>().toEqualTypeOf<'forwarded' | 'ignored' | 'rejected'>();
// @ts-expect-error not a reason
const unknownReason: PostbackReason = 'bad_secret';
const stats = forwarder.stats();
expectTypeOf(stats).toEqualTypeOf<ForwarderStats>();
expectTypeOf(stats.forwarded).toBeNumber();
// @ts-expect-error stats are a snapshot, read-only
stats.forwarded = 0;

// --- the postback URL ----------------------------------------------------------------------
expectTypeOf(
  postbackUrlTemplate({ baseUrl: 'https://example.com/tapstream', secret: 's' }),
).toBeString();
const urlOptions: PostbackUrlTemplateOptions = {
  baseUrl: 'https://example.com/tapstream',
  secret: 's',
  identityField: 'kmid',
};
postbackUrlTemplate(urlOptions);
// @ts-expect-error the secret is required: the forwarder refuses postbacks without it
postbackUrlTemplate({ baseUrl: 'https://example.com/tapstream' });
// @ts-expect-error the base URL is required
postbackUrlTemplate({ secret: 's' });
// @ts-expect-error a base URL string (a URL object is not taken)
postbackUrlTemplate({ baseUrl: new URL('https://example.com/tapstream'), secret: 's' });
expectTypeOf(POSTBACK_PARAMETERS.secret).toEqualTypeOf<'secret'>();
expectTypeOf(isGenericIdentity('guest')).toBeBoolean();
expectTypeOf(GENERIC_IDENTITIES).toEqualTypeOf<ReadonlySet<string>>();

// --- errors --------------------------------------------------------------------------------
declare const caught: unknown;
if (KmValidationError.isInstance(caught)) expectTypeOf(caught.path).toBeString();
if (isKmValidationError(caught)) expectTypeOf(caught).toEqualTypeOf<KmValidationError>();

export { both, neither, unknownReason };
