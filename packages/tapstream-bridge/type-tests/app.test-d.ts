// The types users get from the built `@kmkit/tapstream-bridge` (`dist/*.d.ts`): the app side of the
// root entry (timeline lookup, identity extraction, the one-time alias, stores, errors), run by
// `pnpm check:types` under node16 (Node's types, no DOM: a React Native or Node app) and bundler
// (the DOM's, no Node's), on each TypeScript version it lists. Every `@ts-expect-error` is a call
// that must not compile; the file compiling proves each one fails.

import type { KmErrorCode } from '@kmkit/core';
import {
  type AliasOnboardedUserOptions,
  type AliasOutcome,
  type AliasResult,
  type AliasStorage,
  type AliasStore,
  aliasKey,
  aliasOnboardedUser,
  createLocalStorageAliasStore,
  createMemoryAliasStore,
  DEFAULT_IDENTITY_PARAMETER,
  extractKmIdentity,
  GENERIC_IDENTITIES,
  installTapstreamBridge,
  isGenericIdentity,
  isKmValidationError,
  KmBridgeError,
  type KmBridgeErrorCode,
  type KmError,
  KmValidationError,
  lookupTimeline,
  type Timeline,
  type TimelineHit,
  type TimelineSummary,
} from '@kmkit/tapstream-bridge';
import { expectTypeOf } from 'expect-type';

// --- lookupTimeline ------------------------------------------------------------------------
expectTypeOf(lookupTimeline({ secret: 'sdk-secret', eventSession: 'uuid' })).toEqualTypeOf<
  Promise<Timeline | undefined>
>();
lookupTimeline({
  secret: 'sdk-secret',
  eventSession: 'uuid',
  blocking: true,
  attempts: 3,
  intervalMs: 1000,
  timeoutMs: 30_000,
  endpoint: 'https://reporting.tapstream.com',
  fetch: globalThis.fetch,
  scheduler: { now: () => 0 },
  signal: new AbortController().signal,
});
// @ts-expect-error the event session is required: the uuid the app's events carry
lookupTimeline({ secret: 'sdk-secret' });
// @ts-expect-error the SDK secret is required
lookupTimeline({ eventSession: 'uuid' });
// @ts-expect-error a misspelt option (eventSession)
lookupTimeline({ secret: 'sdk-secret', event_session: 'uuid' });
// @ts-expect-error attempts is a number
lookupTimeline({ secret: 'sdk-secret', eventSession: 'uuid', attempts: '3' });
// @ts-expect-error a fetch function, not a URL
lookupTimeline({ secret: 'sdk-secret', eventSession: 'uuid', fetch: 'https://example.com' });

declare const timeline: Timeline;
expectTypeOf(timeline.hits).toEqualTypeOf<readonly TimelineHit[]>();
expectTypeOf(timeline.hits[0]!.custom_parameters).toEqualTypeOf<
  Readonly<Record<string, string>> | undefined
>();
// A conversion answer is read-only.
// @ts-expect-error hits are readonly
timeline.hits.push({ tracker: 'x' });

// --- extractKmIdentity ---------------------------------------------------------------------
expectTypeOf(extractKmIdentity(timeline)).toEqualTypeOf<string | undefined>();
declare const summary: TimelineSummary;
extractKmIdentity(summary, { identityParameter: 'kmid', hit: 'latest' });
// Anything a Tapstream SDK handed over: the JSON text, an object, "not yet".
extractKmIdentity('{"hits":[]}');
extractKmIdentity(undefined);
expectTypeOf(DEFAULT_IDENTITY_PARAMETER).toBeString();
// @ts-expect-error 'oldest' or 'latest'
extractKmIdentity(timeline, { hit: 'first' });
// @ts-expect-error a misspelt option (identityParameter)
extractKmIdentity(timeline, { parameter: 'kmid' });

// --- aliasOnboardedUser: timeline or kmIdentity, one of them --------------------------------
const store = createMemoryAliasStore();
const result = aliasOnboardedUser({
  apiKey: 'km-key',
  namedIdentity: 'bob@example.com',
  store,
  timeline: await lookupTimeline({ secret: 'sdk-secret', eventSession: 'uuid' }),
});
expectTypeOf(result).toEqualTypeOf<Promise<AliasResult>>();
aliasOnboardedUser({
  apiKey: 'km-key',
  namedIdentity: 'bob@example.com',
  store,
  kmIdentity: extractKmIdentity('{"hit_params":{"km_identity":"visitor"}}'),
  endpoint: 'https://example.com/km',
  fetch: globalThis.fetch,
  init: { keepalive: true },
  retry: { maxAttempts: 3 },
  scheduler: { random: () => 0.5 },
});
aliasOnboardedUser({
  apiKey: 'km-key',
  namedIdentity: 'bob@example.com',
  store,
  timeline: '{"hits":[]}',
  extract: { hit: 'latest' },
});
// @ts-expect-error timeline or kmIdentity, not both (refused at run time: which one is meant?)
aliasOnboardedUser({ apiKey: 'k', namedIdentity: 'bob', store, timeline, kmIdentity: 'visitor' });
// @ts-expect-error no source of the identity: pass the timeline (or kmIdentity)
aliasOnboardedUser({ apiKey: 'k', namedIdentity: 'bob', store });
// @ts-expect-error a store is required, so the alias is sent once
aliasOnboardedUser({ apiKey: 'k', namedIdentity: 'bob', timeline });
// @ts-expect-error the API key is required
aliasOnboardedUser({ namedIdentity: 'bob', store, timeline });
// @ts-expect-error the named identity is a string
aliasOnboardedUser({ apiKey: 'k', namedIdentity: 42, store, timeline });
// @ts-expect-error a misspelt option (namedIdentity)
aliasOnboardedUser({ apiKey: 'k', namedId: 'bob', store, timeline });
// Options held in a variable keep the rule.
const fromConfig: AliasOnboardedUserOptions = { apiKey: 'k', namedIdentity: 'b', store, timeline };
aliasOnboardedUser(fromConfig);
// @ts-expect-error both sources
const both: AliasOnboardedUserOptions = { ...fromConfig, kmIdentity: 'visitor' };

// The outcome tells whether there is a Kissmetrics identity.
declare const done: AliasResult;
expectTypeOf(done.outcome).toEqualTypeOf<AliasOutcome>();
expectTypeOf<AliasOutcome>().toEqualTypeOf<'aliased' | 'already-aliased' | 'no-identity'>();
expectTypeOf(done.namedIdentity).toBeString();
if (done.outcome === 'no-identity') {
  expectTypeOf(done.kmIdentity).toEqualTypeOf<undefined>();
} else {
  expectTypeOf(done.outcome).toEqualTypeOf<'aliased' | 'already-aliased'>();
  expectTypeOf(done.kmIdentity).toBeString();
}
// @ts-expect-error not an outcome
const unknownOutcome: AliasOutcome = 'sent';

// --- alias stores --------------------------------------------------------------------------
expectTypeOf(store).toMatchTypeOf<AliasStore>();
expectTypeOf(store.entries()).toEqualTypeOf<[string, string][]>();
expectTypeOf(createLocalStorageAliasStore()).toEqualTypeOf<AliasStore>();
declare const storage: AliasStorage;
createLocalStorageAliasStore({ storage });
// A store of your own, synchronous or over promises (React Native's AsyncStorage).
declare const asyncStorage: {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
};
const asyncStore: AliasStore = {
  get: (key) => asyncStorage.getItem(key),
  set: (key, value) => asyncStorage.setItem(key, value),
};
aliasOnboardedUser({ apiKey: 'k', namedIdentity: 'bob', store: asyncStore, timeline });
// @ts-expect-error AsyncStorage itself is not a store (getItem/setItem): wrap it in { get, set }
aliasOnboardedUser({ apiKey: 'k', namedIdentity: 'bob', store: asyncStorage, timeline });
// @ts-expect-error a store saves strings
const numberStore: AliasStore = { get: () => 1, set: () => {} };
// @ts-expect-error a storage needs getItem and setItem
createLocalStorageAliasStore({ storage: { getItem: () => null } });
expectTypeOf(aliasKey('visitor', 'bob')).toBeString();

// --- errors and generic identities ---------------------------------------------------------
declare const caught: unknown;
if (KmBridgeError.isInstance(caught)) {
  expectTypeOf(caught.code).toEqualTypeOf<KmBridgeErrorCode>();
  expectTypeOf(caught.status).toEqualTypeOf<number | undefined>();
  expectTypeOf(caught.path).toBeString();
  expectTypeOf(caught).toMatchTypeOf<KmError>();
}
expectTypeOf<KmBridgeErrorCode>().toEqualTypeOf<
  'lookup_rejected' | 'lookup_failed' | 'alias_not_delivered' | 'store_failed'
>();
if (KmValidationError.isInstance(caught)) expectTypeOf(caught.code).toEqualTypeOf<KmErrorCode>();
if (isKmValidationError(caught)) expectTypeOf(caught).toEqualTypeOf<KmValidationError>();
// @ts-expect-error not a bridge error code
const unknownCode: KmBridgeErrorCode = 'network_error';
expectTypeOf(isGenericIdentity('guest')).toBeBoolean();
expectTypeOf(GENERIC_IDENTITIES).toEqualTypeOf<ReadonlySet<string>>();
// @ts-expect-error an identity to test is a string
isGenericIdentity(undefined);

// The website call type-checks without the DOM lib too (code shared with a server render).
expectTypeOf(installTapstreamBridge).parameter(0).toHaveProperty('accountName').toBeString();

export { both, numberStore, unknownCode, unknownOutcome };
