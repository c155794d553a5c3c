import type {
  DeliveryEvents,
  DeliveryStats,
  DropReason,
  FlushResult,
  KmLimits,
  KmValidationError,
  KmWarning,
  MappingProfileOptions,
  Scheduler,
  SpecMessage,
  TrackingRequest,
} from '@kmkit/core';
import type { ConsentOptions, ConsentState } from '../consent/consent-state.js';

export type { ConsentOptions, ConsentState };

/** Free-form properties or traits of a call. Nested objects are flattened by the mapping. */
export type Properties = Record<string, unknown>;

/** The client methods that take an event; named in `invalid` events. */
export type CallName = 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group' | 'send';

/**
 * Options both modes take. `consent` and `respectGlobalPrivacyControl` decide whether anything is
 * stored or sent (see `setConsent`).
 */
export interface CommonOptions extends MappingProfileOptions, ConsentOptions {
  /** Your Kissmetrics API key (Product Settings in Kissmetrics). */
  readonly apiKey: string;
  /** Name and value length limits (default 255 / 512 code points, Kissmetrics' own). */
  readonly limits?: KmLimits;
  /**
   * Add the document's `url`, `path`, `search`, `title` and `referrer` to the properties of every
   * `page()` call, as RudderStack's and Segment's SDKs do (values you pass win). Default true.
   */
  readonly pageContext?: boolean;
  /** Clock, timers and randomness, for tests; any part left out is the system's. */
  readonly scheduler?: Partial<Scheduler>;
}

/** A call refused because its input is invalid: nothing of it was sent. Calls never throw. */
export interface InvalidCall {
  /** The method that was called. */
  readonly call: CallName | 'setConsent';
  /** What was wrong (`code`, `path`, `message`). */
  readonly error: KmValidationError;
  readonly message: string;
}

/** Something the mapping changed or left out of an event that was still sent. */
export interface MappingWarning extends KmWarning {
  /** The event it concerns. */
  readonly messageId: string;
}

/** Something in the browser went wrong without stopping the client. */
export interface BrowserWarning {
  /**
   * `store_failed`: `localStorage` refused to keep queued events (quota, private mode): they stay in
   * memory and are still sent. `invalid_saved_request`: saved entries of the queue that this client
   * may not send (another origin, a method other than GET or POST, no numeric time, a damaged
   * entry) were removed at load, `count` says how many. `library_blocked`: a Kissmetrics script
   * failed to load (ad-blocker, CSP, network). `call_failed`: a call failed unexpectedly.
   * `listener_failed`: a listener threw.
   */
  readonly code:
    | 'store_failed'
    | 'invalid_saved_request'
    | 'library_blocked'
    | 'call_failed'
    | 'listener_failed';
  readonly message: string;
  readonly error?: unknown;
  /** How many saved requests were removed (`invalid_saved_request`). */
  readonly count?: number;
}

/**
 * Something that will never be sent. A queued request: refused because the shared queue is full,
 * or dropped by `reset({ clearQueue: true })`, by consent denied, or by `forget()`.
 */
export interface RequestDrop {
  readonly reason: DropReason | 'reset' | 'consent_denied' | 'forget';
  readonly request: TrackingRequest;
  readonly id?: string;
  readonly message: string;
  readonly call?: undefined;
}

/**
 * A call held until consent (not yet mapped, so there is no request): dropped because too many
 * were held (`consent_pending`, past `maxQueueLength`, default 1000), or made or held while consent
 * is or became denied (`consent_denied`), or held when `forget()` was called.
 */
export interface CallDrop {
  readonly reason: 'consent_pending' | 'consent_denied' | 'forget';
  /** The method whose call was dropped. */
  readonly call: CallName;
  readonly message: string;
  readonly request?: undefined;
  readonly id?: undefined;
}

/** What a `drop` event tells: a queued request, or a call held for consent. */
export type ClientDrop = RequestDrop | CallDrop;

/** The events of a client, by name. Device mode has only `invalid` and `warning`. */
export interface KissmetricsEvents {
  /** Kissmetrics acknowledged a request (in `no-cors` mode: the request reached the server). */
  delivered: DeliveryEvents['delivered'];
  /** An attempt failed and will be retried. */
  retry: DeliveryEvents['retry'];
  /**
   * A request failed for good in this page. With `reason: 'max_attempts'` it stays persisted and
   * the next page load tries again (within `retry.maxAgeMs`).
   */
  error: DeliveryEvents['error'];
  /**
   * Something that will never be sent, counted in `stats().dropped`: a request refused at a cap or
   * dropped by `reset({ clearQueue })`, consent denied or `forget()`; or a call held for consent.
   */
  drop: ClientDrop;
  /** Something was changed or went wrong without stopping delivery. */
  warning: DeliveryEvents['warning'] | MappingWarning | BrowserWarning;
  /** A call was refused for invalid input (counted in `stats().invalid`). */
  invalid: InvalidCall;
  /** The consent state changed (`setConsent`). */
  consent: { readonly state: ConsentState };
}

/** Counts and state. In device mode the Kissmetrics JS delivers: only `invalid` counts there. */
export interface KissmetricsStats extends DeliveryStats {
  /** Calls refused for invalid input. */
  readonly invalid: number;
  /** True in the tab that sends the shared queue (cloud mode). */
  readonly sender: boolean;
  /** Where consent stands: `'granted'`, `'pending'` or `'denied'`. */
  readonly consent: ConsentState;
  /** Calls held until consent is granted. */
  readonly held: number;
}

/** Options of `reset()`. */
export interface ResetOptions {
  /**
   * Also drop every queued request not yet on the wire, each reported as a `drop` event. Default
   * false: queued requests carry their own identity and are still delivered.
   */
  readonly clearQueue?: boolean;
}

/**
 * A Kissmetrics client for the browser, with RudderStack-style positional calls. No call throws:
 * invalid input is reported through the `invalid` event and counted in `stats().invalid`.
 */
export interface KissmetricsClient {
  /**
   * Names the visitor and sets traits on them. `identify(traits)` sets traits on the current
   * visitor. In cloud mode the first `identify` of an anonymous visitor also aliases the two ids.
   */
  identify(userId?: string | number | null, traits?: Properties): void;
  identify(traits: Properties): void;
  /** Records an event with its properties. */
  track(event: string, properties?: Properties): void;
  /**
   * Records a page view, `Viewed <category> <name> page` (or `Viewed <name> page`, `Loaded a Page`).
   * Arguments shift as in RudderStack: `page('home', props)` is the page named `home`.
   */
  page(properties?: Properties): void;
  page(name: string, properties?: Properties): void;
  page(category: string | null | undefined, name: string, properties?: Properties): void;
  /** Records a screen view, read like `page`. */
  screen(properties?: Properties): void;
  screen(name: string, properties?: Properties): void;
  screen(category: string | null | undefined, name: string, properties?: Properties): void;
  /** Declares `newId` and `previousId` (default: the current identity) one person. */
  alias(newId: string | number, previousId?: string | number): void;
  /** Sets the group's traits on the visitor as `Group - <trait>`, plus `Group - id`. */
  group(groupId: string | number, traits?: Properties): void;
  /**
   * Sends a Segment / RudderStack spec message as it is (`{ type: 'track', event, ... }`). A message
   * without `userId` and `anonymousId` gets the client's; it does not change the client's identity.
   */
  send(message: SpecMessage): void;
  /** Forgets the named visitor and starts a new anonymous one. */
  reset(options?: ResetOptions): void;
  /**
   * Records the visitor's choice. `'pending'`: calls are held in memory, nothing is stored or sent.
   * `'granted'`: what was held goes out in order, with the times it was made at, and storage is
   * used from then on (device mode loads the Kissmetrics JS then). `'denied'`: what is held or
   * queued is dropped (`drop` events, `reason: 'consent_denied'`), nothing is sent or stored from
   * then on, and what kmkit stored is removed.
   */
  setConsent(state: ConsentState): void;
  /**
   * Removes every key and cookie kmkit (and the Kissmetrics JS, in device mode) stored, and drops
   * what waits to be sent (`reason: 'forget'`); the next call starts a new anonymous visitor. For a
   * "delete my data" button: also delete the person in Kissmetrics.
   */
  forget(): void;
  /** The current Kissmetrics identity (`KM.i()` in device mode, rejecting when the JS is blocked). */
  identity(): Promise<string>;
  /** Resolves when what was queued before the call is settled (at once in device mode). */
  flush(): Promise<FlushResult>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof KissmetricsEvents>(
    event: K,
    listener: (payload: KissmetricsEvents[K]) => void,
  ): () => void;
  /** Counts and state. */
  stats(): KissmetricsStats;
}
