// The CommonJS declarations (`dist/*.d.cts`), as a `require` user gets them (node16 only).
import {
  type AliasResult,
  aliasOnboardedUser,
  createMemoryAliasStore,
  KmBridgeError,
  type KmBridgeErrorCode,
} from '@kmkit/tapstream-bridge';
import { createTapstreamForwarder, type TapstreamForwarder } from '@kmkit/tapstream-bridge/server';
import { expectTypeOf } from 'expect-type';

const store = createMemoryAliasStore();
expectTypeOf(
  aliasOnboardedUser({ apiKey: 'key', namedIdentity: 'bob', store, kmIdentity: 'visitor' }),
).toEqualTypeOf<Promise<AliasResult>>();
// @ts-expect-error timeline or kmIdentity, not both
aliasOnboardedUser({ apiKey: 'key', namedIdentity: 'bob', store, timeline: {}, kmIdentity: 'v' });
const forwarder = createTapstreamForwarder({ secret: 's', apiKey: 'key' });
expectTypeOf(forwarder).toEqualTypeOf<TapstreamForwarder>();
// @ts-expect-error client or apiKey, not both
createTapstreamForwarder({ secret: 's', client: forwarder.client, apiKey: 'key' });
// @ts-expect-error without a client, the API key is required
createTapstreamForwarder({ secret: 's' });
declare const caught: unknown;
if (KmBridgeError.isInstance(caught)) expectTypeOf(caught.code).toEqualTypeOf<KmBridgeErrorCode>();
