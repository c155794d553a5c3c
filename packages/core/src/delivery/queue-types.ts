import type { TrackingRequest } from '../encoding/tracking-request.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Scheduler, Store, StoredRequest, Transport } from './types.js';

/** What happens to a new request when the queue is at its count or byte cap. */
export type OverflowPolicy = 'refuse' | 'drop-oldest';

/** Options of {@link createDeliveryQueue}. */
export interface DeliveryQueueOptions {
  /** Sends one request (fetch, undici, `sendBeacon`...). */
  readonly transport: Transport;
  /** Persistence for queued requests (the node spool, `localStorage`); memory only when absent. */
  readonly store?: Store;
  /** Overrides of {@link DEFAULT_RETRY_POLICY}. */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * The most requests in flight at once. Within it the engine adapts how many it sends (see
   * {@link DeliveryStats.concurrency}): more while requests wait and answers come back healthy and
   * quick, fewer on timeouts, network errors, 5xx, 408 and 429. Default 64.
   */
  readonly maxConcurrency?: number;
  /** Requests in flight before the first answers are in: the window's start. Default 8 (at most `maxConcurrency`). */
  readonly initialConcurrency?: number;
  /**
   * @deprecated A fixed number of requests in flight, from before the window adapted: read as
   * `maxConcurrency` (so nobody gets more in flight than they asked for). Use `maxConcurrency`.
   */
  readonly concurrency?: number;
  /** At most this many requests queued (in flight included). Default 10,000. */
  readonly maxQueueLength?: number;
  /** At most this many bytes of URL and body queued. Default 16 MiB. */
  readonly maxQueueBytes?: number;
  /**
   * At a cap, `'refuse'` (default) turns the new request away, `'drop-oldest'` evicts the oldest
   * waiting ones to make room. Either way each loss is a `drop` event and counted, never silent.
   */
  readonly overflow?: OverflowPolicy;
  /** Clock, timers and randomness; any part left out is the system's. */
  readonly scheduler?: Partial<Scheduler>;
  /** Ids of new requests; default a random per-queue prefix and a counter. */
  readonly generateId?: () => string;
  /** Start paused (e.g. offline, or not the tab that sends); `resume()` starts sending. */
  readonly paused?: boolean;
  /**
   * How long a request that a durable store holds is retried. `'max-age'` (the default, the
   * durability contract): until `retry.maxAgeMs`, with capped backoff, never failed for
   * `retry.maxAttempts`. `'max-attempts'`: like a memory-only request (the browser, whose next page
   * load retries what one page gave up on). Requests only memory holds always stop at `maxAttempts`.
   */
  readonly durableRetry?: 'max-age' | 'max-attempts';
}

/** Why a request failed for good. */
export type FailureReason = 'rejected' | 'max_attempts' | 'expired';

/**
 * Why a request was never sent: refused at a cap (`queue_full`), evicted for a newer one, refused
 * because a durable store could not keep it (`spool_failed`), after close, or left at close.
 */
export type DropReason = 'queue_full' | 'evicted' | 'spool_failed' | 'closed' | 'unsent_at_close';

/** The events of a delivery queue, by name. */
export interface DeliveryEvents {
  /** The server acknowledged the request. */
  delivered: {
    readonly id: string;
    readonly request: TrackingRequest;
    readonly status: number;
    readonly attempts: number;
  };
  /** An attempt failed in a way worth retrying; the next one is scheduled after `delayMs`. */
  retry: {
    readonly id: string;
    readonly request: TrackingRequest;
    readonly attempt: number;
    readonly delayMs: number;
    readonly reason: 'status' | 'network' | 'timeout';
    readonly status?: number;
    readonly error?: unknown;
  };
  /** The request failed for good: a final status, the attempts ran out, or it grew too old. */
  error: {
    readonly id: string;
    readonly request: TrackingRequest;
    readonly reason: FailureReason;
    readonly attempts: number;
    readonly status?: number;
    readonly error?: unknown;
    readonly message: string;
  };
  /**
   * A request that will never be sent: refused or evicted at a cap, refused because a durable store
   * failed to keep it, after close, or left at close.
   */
  drop: {
    readonly reason: DropReason;
    readonly request: TrackingRequest;
    readonly id?: string;
    readonly message: string;
    /** What the store threw (`spool_failed`). */
    readonly error?: unknown;
  };
  /** Something went wrong around delivery (a store or a listener failed); delivery carries on. */
  warning: {
    readonly code: 'store_failed' | 'listener_failed';
    readonly message: string;
    readonly error: unknown;
  };
}

/** Counts of what a `flush()` waited for. */
export interface FlushResult {
  /** Requests that were queued when `flush()` was called and were delivered. */
  readonly delivered: number;
  /** Requests that were queued when `flush()` was called and failed for good. */
  readonly failed: number;
  /** Requests refused or evicted since the previous `flush()` or `close()` call. */
  readonly dropped: number;
}

/** Counts of what a `close()` achieved before its deadline. */
export interface CloseResult extends FlushResult {
  /** Requests still unsent at the deadline (in flight ones were aborted). */
  readonly remaining: number;
  /** True when those remaining requests are kept by a durable store for the next process. */
  readonly persisted: boolean;
}

/** The result of `enqueue`. */
export type EnqueueResult =
  | { readonly accepted: true; readonly id: string }
  | { readonly accepted: false; readonly reason: DropReason };

/** A snapshot of a queue's state and lifetime counters. */
export interface DeliveryStats {
  readonly queued: number;
  readonly queuedBytes: number;
  readonly inFlight: number;
  /**
   * How many requests may be in flight now: the adaptive window, between 1 and `maxConcurrency`
   * (grown while requests wait and answers are healthy, shrunk by failures and rate limits).
   */
  readonly concurrency: number;
  readonly delivered: number;
  readonly failed: number;
  readonly dropped: number;
  readonly retries: number;
  readonly paused: boolean;
  readonly closed: boolean;
}

/** A queue of tracking requests that delivers each one until acknowledged or failed for good. */
export interface DeliveryQueue {
  /**
   * Queues a request (and adds it to the store before returning). At a cap, after `close()`, or
   * when a durable store could not keep it, the request is turned away: the result says why and a
   * `drop` event reports it.
   */
  enqueue(
    request: TrackingRequest,
    options?: { readonly id?: string; readonly enqueuedAt?: number },
  ): EnqueueResult;
  /**
   * Resolves when every request queued before the call is delivered or failed for good. Concurrent
   * callers share the work: nothing is sent twice. Waits for a paused queue to resume.
   */
  flush(): Promise<FlushResult>;
  /**
   * Stops accepting requests, drains until `timeoutMs` (default 10 s), then aborts what is in flight.
   * Unsent requests stay in a durable store, else they are reported as `drop` events. Idempotent:
   * every call returns the same promise.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<CloseResult>;
  /** Stops starting new sends (offline, another tab sends); in-flight ones finish. */
  pause(): void;
  /** Starts sending again. */
  resume(): void;
  /**
   * Forgets queued requests that were settled elsewhere (another tab delivered them, or they were
   * cleared on purpose), without sending them or counting them as delivered, failed or dropped.
   * Requests in flight are left to finish. Returns how many were forgotten.
   */
  discard(ids: Iterable<string>): number;
  /** Reads the store again and queues what it holds that this queue does not know yet. */
  restore(): Promise<number>;
  /** The requests not yet settled, oldest first (for a last-chance `sendBeacon`). */
  pending(): readonly StoredRequest[];
  /** Counts and state. */
  stats(): DeliveryStats;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof DeliveryEvents>(
    event: K,
    listener: (payload: DeliveryEvents[K]) => void,
  ): () => void;
  /** Resolves once the store's requests from an earlier run are queued. */
  readonly ready: Promise<void>;
}
