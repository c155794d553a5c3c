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

/** Free-form properties or traits of a call. Nested objects are flattened by the mapping. */
export type Properties = Record<string, unknown>;

/** The client methods that take an event; named in `invalid` events. */
export type CallName = 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group' | 'send';

/** Options both modes take. */
export interface CommonOptions extends MappingProfileOptions {
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
  readonly call: CallName;
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

/** A request dropped by `reset({ clearQueue: true })`, or refused because the shared queue is full. */
export interface ClientDrop {
  readonly reason: DropReason | 'reset';
  readonly request: TrackingRequest;
  readonly id?: string;
  readonly message: string;
}

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
  /** A request that will never be sent: refused at a cap, or dropped by `reset({ clearQueue })`. */
  drop: ClientDrop;
  /** Something was changed or went wrong without stopping delivery. */
  warning: DeliveryEvents['warning'] | MappingWarning | BrowserWarning;
  /** A call was refused for invalid input (counted in `stats().invalid`). */
  invalid: InvalidCall;
}

/** Counts and state. In device mode the Kissmetrics JS delivers: only `invalid` counts there. */
export interface KissmetricsStats extends DeliveryStats {
  /** Calls refused for invalid input. */
  readonly invalid: number;
  /** True in the tab that sends the shared queue (cloud mode). */
  readonly sender: boolean;
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
