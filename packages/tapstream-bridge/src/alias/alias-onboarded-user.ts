import {
  createDeliveryQueue,
  createFetchTransport,
  type DeliveryEvents,
  KmValidationError,
  type RetryPolicy,
  type Scheduler,
  type TrackingRequest,
  toTrackingRequest,
} from '@kmkit/core';
import { codePointLength, systemScheduler } from '@kmkit/core/internal';
import { KmBridgeError } from '../errors/index.js';
import { isGenericIdentity } from '../identity/index.js';
import { type ExtractKmIdentityOptions, extractKmIdentity } from '../timeline/index.js';
import { type AliasStore, aliasKey } from './alias-store.js';

/**
 * Options of {@link aliasOnboardedUser}: where the web visitor's identity comes from (`timeline`
 * or `kmIdentity`, one of them) and the rest.
 */
export type AliasOnboardedUserOptions = AliasOnboardedUserOwnOptions &
  (
    | {
        /**
         * The conversion answer to read `km_identity` from: what `lookupTimeline` returned
         * (`undefined` included), or the JSON (object or text) a Tapstream SDK handed the app.
         */
        readonly timeline: unknown;
        readonly kmIdentity?: undefined;
      }
    | {
        /** The web visitor's Kissmetrics identity, when you read it yourself (`extractKmIdentity`). */
        readonly kmIdentity: string | null | undefined;
        readonly timeline?: undefined;
      }
  );

/** The options of {@link aliasOnboardedUser} besides the source of the identity. */
export interface AliasOnboardedUserOwnOptions {
  /** Your Kissmetrics API key (`_k`). */
  readonly apiKey: string;
  /** The identity the app knows its user by (email, user id): `_n` of the alias. */
  readonly namedIdentity: string;
  /** Where delivered aliases are remembered, so each pair is sent once. */
  readonly store: AliasStore;
  /** How to read `timeline` (`identityParameter`, `hit`). */
  readonly extract?: ExtractKmIdentityOptions;
  /** Base URL of the tracking API, default `https://trk.kissmetrics.io` (a proxy path works). */
  readonly endpoint?: string;
  /** The `fetch` to send with. Default the global one, read at call time. */
  readonly fetch?: typeof fetch;
  /**
   * Extra `RequestInit` for the request. Default in a web page `{ mode: 'no-cors' }` (sent like the
   * Kissmetrics JS's image beacons, whatever CORS headers the tracking host sends), else none.
   */
  readonly init?: RequestInit;
  /** Overrides of core's retry policy (10 attempts with backoff by default). */
  readonly retry?: Partial<RetryPolicy>;
  /** Clock, timers and randomness, for tests; any part left out is the system's. */
  readonly scheduler?: Partial<Scheduler>;
}

/**
 * What `aliasOnboardedUser` did: `'aliased'` (sent, acknowledged, remembered), `'already-aliased'`
 * (the store says this pair was sent before: nothing sent) or `'no-identity'` (the conversion
 * holds no Kissmetrics identity: an organic install or not attributed yet; nothing sent).
 */
export type AliasOutcome = 'aliased' | 'already-aliased' | 'no-identity';

/** The result of {@link aliasOnboardedUser}: `kmIdentity` is there unless the outcome is `'no-identity'`. */
export type AliasResult =
  | {
      readonly outcome: 'aliased' | 'already-aliased';
      /** The web visitor's Kissmetrics identity (`_p`). */
      readonly kmIdentity: string;
      /** The app user's named identity (`_n`). */
      readonly namedIdentity: string;
    }
  | {
      readonly outcome: 'no-identity';
      readonly kmIdentity?: undefined;
      /** The app user's named identity (`_n`). */
      readonly namedIdentity: string;
    };

const MAX_IDENTITY_LENGTH = 255;

// Calls under way per store and pair: a second call for the same pair waits for the first
// instead of sending again (a double tap on "Sign in").
const underWay = new WeakMap<AliasStore, Map<string, Promise<AliasResult>>>();

function checkNamedIdentity(value: unknown): string {
  if (typeof value !== 'string') {
    throw new KmValidationError(
      'invalid_option',
      'namedIdentity',
      `namedIdentity must be the user's named identity as a string (email or user id), got ${value === null ? 'null' : typeof value}`,
    );
  }
  if (isGenericIdentity(value)) {
    throw new KmValidationError(
      'generic_identity',
      'namedIdentity',
      `namedIdentity ${JSON.stringify(value)} is not a person: an alias is irreversible and would merge every user with this value into one. Alias only once the user is signed in with a real id`,
    );
  }
  if (codePointLength(value) > MAX_IDENTITY_LENGTH) {
    throw new KmValidationError(
      'name_too_long',
      'namedIdentity',
      `namedIdentity is over ${MAX_IDENTITY_LENGTH} characters, Kissmetrics' limit for an identity`,
    );
  }
  return value;
}

function checkStore(store: unknown): AliasStore {
  const candidate = store as AliasStore | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.get !== 'function' ||
    typeof candidate.set !== 'function'
  ) {
    throw new KmValidationError(
      'invalid_option',
      'store',
      'store is required: pass createLocalStorageAliasStore(), createMemoryAliasStore() or your own { get, set }, so the alias is sent once',
    );
  }
  return candidate;
}

function resolveKmIdentity(options: AliasOnboardedUserOptions): string | undefined {
  const hasTimeline = options.timeline !== undefined;
  const hasIdentity = options.kmIdentity !== undefined;
  if (hasTimeline && hasIdentity) {
    throw new KmValidationError(
      'invalid_option',
      'kmIdentity',
      'pass either timeline (kmkit reads km_identity from it) or kmIdentity, not both',
    );
  }
  if (hasIdentity) {
    const { kmIdentity } = options;
    if (kmIdentity === null || kmIdentity === undefined) return undefined;
    if (typeof kmIdentity !== 'string') {
      throw new KmValidationError(
        'invalid_option',
        'kmIdentity',
        `kmIdentity must be a string, got ${typeof kmIdentity}`,
      );
    }
    if (isGenericIdentity(kmIdentity)) return undefined;
    if (codePointLength(kmIdentity) > MAX_IDENTITY_LENGTH) {
      throw new KmValidationError(
        'name_too_long',
        'kmIdentity',
        `kmIdentity is over ${MAX_IDENTITY_LENGTH} characters, Kissmetrics' limit for an identity`,
      );
    }
    return kmIdentity;
  }
  return extractKmIdentity(options.timeline, options.extract);
}

function defaultInit(): RequestInit {
  // In a page the tracking host is cross-origin: send like an image beacon, status unread.
  return typeof (globalThis as { document?: unknown }).document === 'object'
    ? { mode: 'no-cors' }
    : {};
}

async function deliver(
  options: AliasOnboardedUserOptions,
  request: TrackingRequest,
): Promise<void> {
  const queue = createDeliveryQueue({
    transport: createFetchTransport({
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      init: options.init ?? defaultInit(),
    }),
    concurrency: 1,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
  });
  let failure: DeliveryEvents['error'] | undefined;
  queue.on('error', (event) => {
    failure = event;
  });
  queue.enqueue(request);
  const result = await queue.flush();
  void queue.close({ timeoutMs: 0 });
  if (result.delivered === 1) return;
  throw new KmBridgeError(
    'alias_not_delivered',
    'endpoint',
    `Kissmetrics did not acknowledge the alias (${failure?.message ?? 'not delivered'}); it was not remembered, so the next call sends it again`,
    {
      ...(failure?.status === undefined ? {} : { status: failure.status }),
      ...(failure?.error === undefined ? {} : { cause: failure.error }),
    },
  );
}

async function run(
  options: AliasOnboardedUserOptions,
  store: AliasStore,
  request: TrackingRequest,
  key: string,
  kmIdentity: string,
  namedIdentity: string,
): Promise<AliasResult> {
  let saved: string | null | undefined;
  try {
    saved = await store.get(key);
  } catch (cause) {
    throw new KmBridgeError(
      'store_failed',
      'store',
      'the alias store could not be read, so nothing was sent: try again later',
      { cause },
    );
  }
  if (saved !== null && saved !== undefined && saved !== '') {
    return { outcome: 'already-aliased', kmIdentity, namedIdentity };
  }
  await deliver(options, request);
  const clock: Scheduler = { ...systemScheduler, ...options.scheduler };
  try {
    await store.set(key, new Date(clock.now()).toISOString());
  } catch (cause) {
    throw new KmBridgeError(
      'store_failed',
      'store',
      'the alias was delivered but could not be remembered: it will be sent again next time, which Kissmetrics ignores',
      { cause },
    );
  }
  return { outcome: 'aliased', kmIdentity, namedIdentity };
}

/**
 * Joins the app's signed-in user to the website visitor Tapstream attributed the install to:
 * sends `/a?_k=<apiKey>&_p=<km_identity>&_n=<namedIdentity>` to Kissmetrics once per pair, with
 * core's retry policy. The pair is remembered in `store` only after Kissmetrics acknowledged it,
 * so a crash before delivery retries on the next launch. Needs only `fetch` (React Native, Node,
 * browsers, workers).
 *
 * @example
 * ```ts
 * const timeline = await lookupTimeline({ secret: TAPSTREAM_SDK_SECRET, eventSession: uuid });
 * const { outcome } = await aliasOnboardedUser({
 *   apiKey: KM_API_KEY,
 *   timeline,
 *   namedIdentity: user.email,
 *   store: createLocalStorageAliasStore(),
 * }); // 'aliased' | 'already-aliased' | 'no-identity'
 * ```
 *
 * @throws {KmValidationError} `generic_identity` at `namedIdentity` for a generic identity (empty,
 * `guest`, `anonymous`, `null`, `undefined`...), `self_alias` for one equal to the Kissmetrics
 * identity;
 * `invalid_option` for a missing store or a bad `apiKey`/`endpoint`; `name_too_long` for an
 * identity over 255 characters.
 * @throws {KmBridgeError} `alias_not_delivered` when Kissmetrics did not acknowledge it within the
 * retry policy, `store_failed` when the store failed.
 */
export async function aliasOnboardedUser(options: AliasOnboardedUserOptions): Promise<AliasResult> {
  if (typeof options !== 'object' || options === null) {
    throw new KmValidationError(
      'invalid_option',
      '',
      'aliasOnboardedUser takes { apiKey, namedIdentity, store, timeline or kmIdentity }',
    );
  }
  const namedIdentity = checkNamedIdentity(options.namedIdentity);
  const store = checkStore(options.store);
  if (typeof options.apiKey !== 'string' || options.apiKey === '') {
    throw new KmValidationError(
      'invalid_option',
      'apiKey',
      'apiKey is required: pass your Kissmetrics API key (Product Settings in Kissmetrics)',
    );
  }
  const kmIdentity = resolveKmIdentity(options);
  if (kmIdentity === undefined) return { outcome: 'no-identity', namedIdentity };
  if (kmIdentity.trim() === namedIdentity.trim()) {
    throw new KmValidationError(
      'self_alias',
      'namedIdentity',
      `namedIdentity ${JSON.stringify(namedIdentity)} is the Kissmetrics identity itself: there is nothing to alias`,
    );
  }

  // Encoded before anything is read or sent, so a bad apiKey or endpoint throws at once.
  const request = toTrackingRequest(
    { type: 'alias', person: kmIdentity, alias: namedIdentity },
    {
      apiKey: options.apiKey,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    },
  );
  const key = aliasKey(kmIdentity, namedIdentity);
  let calls = underWay.get(store);
  if (!calls) {
    calls = new Map();
    underWay.set(store, calls);
  }
  const earlier = calls.get(key);
  if (earlier) {
    const result = await earlier;
    return result.outcome === 'aliased' ? { ...result, outcome: 'already-aliased' } : result;
  }
  const call = run(options, store, request, key, kmIdentity, namedIdentity);
  calls.set(key, call);
  try {
    return await call;
  } finally {
    calls.delete(key);
  }
}
