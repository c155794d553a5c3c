import type { TrackingRequest } from '../encoding/tracking-request.js';
import { KmValidationError } from '../model/errors.js';
import { createEmitter } from './emitter.js';
import {
  backoffDelay,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-policy.js';
import { systemScheduler } from './scheduler.js';
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
  /** Requests in flight at once. Default 8. */
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
}

/** Why a request failed for good. */
export type FailureReason = 'rejected' | 'max_attempts' | 'expired';

/** Why a request was never sent. */
export type DropReason = 'queue_full' | 'evicted' | 'closed' | 'unsent_at_close';

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
  /** A request that will never be sent: refused or evicted at a cap, after close, or left at close. */
  drop: {
    readonly reason: DropReason;
    readonly request: TrackingRequest;
    readonly id?: string;
    readonly message: string;
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
   * Queues a request (and adds it to the store before returning). At a cap or after `close()` the
   * request is turned away: the result says why and a `drop` event reports it.
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

interface Entry {
  readonly stored: StoredRequest;
  readonly seq: number;
  /** Left by an earlier run: every flush() that starts before the store is read waits for it. */
  readonly initial: boolean;
  readonly bytes: number;
  readonly origin: string;
  attempts: number;
  notBefore: number;
  settled: boolean;
  inFlight?: AbortController;
}

interface Waiter {
  readonly threshold: number;
  delivered: number;
  failed: number;
  readonly dropped: number;
  readonly resolve: (result: FlushResult) => void;
}

function originOf(url: string): string {
  const end = url.indexOf('/', url.indexOf('//') + 2);
  return end === -1 ? url : url.slice(0, end);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) {
    throw new KmValidationError(
      'invalid_option',
      name,
      `${name} must be a positive number, got ${value}`,
    );
  }
  return value;
}

const TIMEOUT = Symbol('timeout');
// A constant abort reason: `abort()` without one builds a DOMException with a stack each time.
const CANCELLED = Symbol('cancelled');
const SETTLED_MEMORY = 10_000;

interface Attempt {
  readonly entry: Entry;
  readonly controller: AbortController;
  readonly deadline: number;
  done: boolean;
}

/**
 * Creates the delivery engine every kmkit cloud sender uses: a bounded FIFO of tracking requests,
 * bounded concurrency, retries with full-jitter backoff and `Retry-After` (which also pauses every send
 * to that origin), per-attempt timeouts, optional persistence through a {@link Store}, and typed events
 * for every outcome. Requests carry their `_t` from parse time, so a resend is the same request and
 * Kissmetrics counts it once.
 */
export function createDeliveryQueue(options: DeliveryQueueOptions): DeliveryQueue {
  const { transport, store } = options;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  positive('retry.maxAttempts', policy.maxAttempts, 1);
  positive('retry.timeoutMs', policy.timeoutMs, 1);
  const concurrency = positive('concurrency', options.concurrency, 8);
  const maxLength = positive('maxQueueLength', options.maxQueueLength, 10_000);
  const maxBytes = positive('maxQueueBytes', options.maxQueueBytes, 16 * 1024 * 1024);
  const overflow = options.overflow ?? 'refuse';
  const clock: Scheduler = { ...systemScheduler, ...options.scheduler };
  const idPrefix = Math.floor(clock.random() * 2 ** 48).toString(36);
  let idCounter = 0;
  const generateId = options.generateId ?? (() => `${idPrefix}-${(idCounter++).toString(36)}`);

  const emitter = createEmitter<DeliveryEvents>((error, event) => {
    if (event !== 'warning') {
      emitter.emit('warning', {
        code: 'listener_failed',
        message: `a "${String(event)}" listener threw`,
        error,
      });
    }
  });

  // Unsettled entries by id: those of this run, and apart from them the ones an earlier run left,
  // which count as older than anything enqueued here.
  const pending = new Map<string, Entry>();
  const pendingInitial = new Map<string, Entry>();
  // This run's entries in queue order; settled ones are skipped from `orderHead` (a Map's first
  // entry would make V8 walk every deleted slot before it).
  let order: Entry[] = [];
  let orderHead = 0;
  // Ids settled lately, so a store snapshot taken before a settlement cannot bring one back. A ring
  // evicts the oldest: deleting from the head of a Set would make V8 walk its deleted slots.
  const settledIds = new Set<string>();
  const settledRing: (string | undefined)[] = new Array(SETTLED_MEMORY);
  let settledRingIndex = 0;
  let initialDone = false;
  // Entries ready to send, FIFO; `readyHead` avoids shifting the array.
  let ready: Entry[] = [];
  let readyHead = 0;
  // Entries waiting for a retry time or an origin pause, sorted by `notBefore`.
  const delayed: Entry[] = [];
  const pausedOrigins = new Map<string, number>();
  const inFlight = new Set<Entry>();
  const waiters: Waiter[] = [];

  let seq = 0;
  let queuedBytes = 0;
  let paused = options.paused ?? false;
  let closed = false;
  let stopped = false; // close() deadline passed: nothing more is sent
  let closing: Promise<CloseResult> | undefined;
  let wake: { at: number; cancel: AbortController; keepAlive: boolean } | undefined;
  const totals = { delivered: 0, failed: 0, dropped: 0, retries: 0 };
  let droppedSinceFlush = 0;

  function warnStore(error: unknown, action: string) {
    emitter.emit('warning', {
      code: 'store_failed',
      message: `the store failed to ${action}; delivery continues in memory`,
      error,
    });
  }

  function storeCall(action: string, call: () => void | Promise<void>) {
    if (!store) return;
    try {
      const result = call();
      if (result && typeof result.then === 'function')
        result.then(undefined, (error) => warnStore(error, action));
    } catch (error) {
      warnStore(error, action);
    }
  }

  function admit(stored: StoredRequest, initial = false): Entry {
    const entry: Entry = {
      stored,
      seq: ++seq,
      initial,
      bytes: stored.request.url.length + (stored.request.body?.length ?? 0),
      origin: originOf(stored.request.url),
      attempts: 0,
      notBefore: 0,
      settled: false,
    };
    if (initial) {
      pendingInitial.set(stored.id, entry);
    } else {
      pending.set(stored.id, entry);
      order.push(entry);
    }
    queuedBytes += entry.bytes;
    return entry;
  }

  // The oldest unsettled entry of this run, trimming settled ones from the front.
  function oldest(): Entry | undefined {
    while (orderHead < order.length && order[orderHead]!.settled) orderHead++;
    if (orderHead === order.length) {
      order = [];
      orderHead = 0;
      return undefined;
    }
    if (orderHead > 1024 && orderHead * 2 > order.length) {
      order = order.slice(orderHead);
      orderHead = 0;
    }
    return order[orderHead];
  }

  function isPending(id: string): boolean {
    return pending.has(id) || pendingInitial.has(id);
  }

  function queuedCount(): number {
    return pending.size + pendingInitial.size;
  }

  function allPending(): Entry[] {
    oldest();
    const current = order.slice(orderHead).filter((entry) => !entry.settled);
    return [...pendingInitial.values(), ...current];
  }

  function drop(reason: DropReason, request: TrackingRequest, message: string, id?: string) {
    totals.dropped++;
    droppedSinceFlush++;
    emitter.emit(
      'drop',
      id === undefined ? { reason, request, message } : { reason, request, id, message },
    );
  }

  function settle(entry: Entry, outcome: 'delivered' | 'failed' | 'evicted' | 'discarded') {
    if (entry.settled) return;
    entry.settled = true;
    (entry.initial ? pendingInitial : pending).delete(entry.stored.id);
    const forgotten = settledRing[settledRingIndex];
    if (forgotten !== undefined) settledIds.delete(forgotten);
    settledRing[settledRingIndex] = entry.stored.id;
    settledRingIndex = (settledRingIndex + 1) % SETTLED_MEMORY;
    settledIds.add(entry.stored.id);
    queuedBytes -= entry.bytes;
    storeCall('remove a settled request', () => store!.remove(entry.stored.id));
    if (outcome === 'delivered') totals.delivered++;
    else if (outcome === 'failed') totals.failed++;
    for (const waiter of waiters) {
      // What an earlier run left counts as queued before any flush() of this one.
      if (!entry.initial && entry.seq > waiter.threshold) continue;
      if (outcome === 'delivered') waiter.delivered++;
      else if (outcome === 'failed') waiter.failed++;
    }
    resolveWaiters();
  }

  function resolveWaiters() {
    if (waiters.length === 0) return;
    const lowest = oldest()?.seq ?? Number.POSITIVE_INFINITY;
    const initialSettled = initialDone && pendingInitial.size === 0;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (lowest > waiter.threshold && initialSettled) {
        waiters.splice(i, 1);
        waiter.resolve({
          delivered: waiter.delivered,
          failed: waiter.failed,
          dropped: waiter.dropped,
        });
      }
    }
    if (waiters.length === 0 && wake?.keepAlive) rearm();
  }

  function fail(
    entry: Entry,
    reason: FailureReason,
    message: string,
    extra: { status?: number; error?: unknown } = {},
  ) {
    settle(entry, 'failed');
    emitter.emit('error', {
      id: entry.stored.id,
      request: entry.stored.request,
      reason,
      attempts: entry.attempts,
      message,
      ...extra,
    });
  }

  function insertDelayed(entry: Entry) {
    let i = delayed.length;
    while (i > 0 && delayed[i - 1]!.notBefore > entry.notBefore) i--;
    delayed.splice(i, 0, entry);
  }

  function rearm() {
    wake?.cancel.abort(CANCELLED);
    wake = undefined;
    scheduleWake();
  }

  function scheduleWake() {
    if (stopped || paused) return;
    const next = delayed[0];
    if (!next) return;
    const keepAlive = waiters.length > 0 || closing !== undefined;
    if (wake && wake.at <= next.notBefore && wake.keepAlive === keepAlive) return;
    wake?.cancel.abort(CANCELLED);
    const cancel = new AbortController();
    const at = next.notBefore;
    wake = { at, cancel, keepAlive };
    clock.sleep(Math.max(0, at - clock.now()), cancel.signal, keepAlive).then(() => {
      if (cancel.signal.aborted) return;
      wake = undefined;
      pump();
    });
  }

  function pump() {
    if (paused || stopped) return;
    const now = clock.now();
    while (delayed.length > 0 && delayed[0]!.notBefore <= now) ready.push(delayed.shift()!);
    while (inFlight.size < concurrency && readyHead < ready.length) {
      const entry = ready[readyHead]!;
      ready[readyHead++] = undefined as unknown as Entry;
      if (entry.settled) continue;
      const pausedUntil = pausedOrigins.get(entry.origin);
      if (pausedUntil !== undefined && pausedUntil > now) {
        entry.notBefore = pausedUntil;
        insertDelayed(entry);
        continue;
      }
      if (now - entry.stored.enqueuedAt > policy.maxAgeMs) {
        fail(entry, 'expired', `not delivered within ${policy.maxAgeMs} ms (retry.maxAgeMs)`);
        continue;
      }
      send(entry);
    }
    if (readyHead === ready.length) {
      ready = [];
      readyHead = 0;
    } else if (readyHead > 1024 && readyHead * 2 > ready.length) {
      ready = ready.slice(readyHead);
      readyHead = 0;
    }
    scheduleWake();
  }

  // Attempts in send order. Every attempt gets the same timeout, so deadlines only grow and one
  // timer for the oldest unfinished attempt covers them all.
  let attempts: Attempt[] = [];
  let attemptsHead = 0;
  let timeoutWake: { at: number; cancel: AbortController } | undefined;

  function scheduleTimeout() {
    while (attemptsHead < attempts.length && attempts[attemptsHead]!.done) attemptsHead++;
    if (attemptsHead >= attempts.length) {
      attempts = [];
      attemptsHead = 0;
      return;
    }
    if (attemptsHead > 1024 && attemptsHead * 2 > attempts.length) {
      attempts = attempts.slice(attemptsHead);
      attemptsHead = 0;
    }
    const head = attempts[attemptsHead]!;
    if (stopped || (timeoutWake && timeoutWake.at <= head.deadline)) return;
    timeoutWake?.cancel.abort(CANCELLED);
    const cancel = new AbortController();
    timeoutWake = { at: head.deadline, cancel };
    clock.sleep(Math.max(0, head.deadline - clock.now()), cancel.signal).then(() => {
      if (cancel.signal.aborted) return;
      timeoutWake = undefined;
      const now = clock.now();
      const due: Attempt[] = [];
      while (attemptsHead < attempts.length) {
        const attempt = attempts[attemptsHead]!;
        if (!attempt.done && attempt.deadline > now) break;
        attemptsHead++;
        if (!attempt.done) due.push(attempt);
      }
      for (const attempt of due) {
        finish(attempt);
        attempt.controller.abort(TIMEOUT);
        retryOrFail(attempt.entry, 'timeout', {});
      }
      if (due.length > 0) pump();
      scheduleTimeout();
    });
  }

  // Marks an attempt over; false when it already was (a late answer after its timeout).
  function finish(attempt: Attempt): boolean {
    if (attempt.done) return false;
    attempt.done = true;
    inFlight.delete(attempt.entry);
    attempt.entry.inFlight = undefined;
    if (inFlight.size === 0 && timeoutWake) {
      // Nothing left to time out: drop the timer rather than leave it to fire for nothing.
      timeoutWake.cancel.abort(CANCELLED);
      timeoutWake = undefined;
      attempts = [];
      attemptsHead = 0;
    }
    return true;
  }

  function send(entry: Entry) {
    entry.attempts++;
    const controller = new AbortController();
    const attempt: Attempt = {
      entry,
      controller,
      deadline: clock.now() + policy.timeoutMs,
      done: false,
    };
    entry.inFlight = controller;
    inFlight.add(entry);
    attempts.push(attempt);
    if (!timeoutWake) scheduleTimeout();
    let sending: Promise<{ status: number; retryAfter?: string | null }>;
    try {
      sending = transport.send(entry.stored.request, controller.signal);
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending.then(
      (response) => {
        if (!finish(attempt)) return;
        const verdict = classifyStatus(response.status);
        if (verdict === 'delivered') {
          settle(entry, 'delivered');
          emitter.emit('delivered', {
            id: entry.stored.id,
            request: entry.stored.request,
            status: response.status,
            attempts: entry.attempts,
          });
        } else if (verdict === 'retry') {
          retryOrFail(entry, 'status', {
            status: response.status,
            retryAfter: response.retryAfter,
          });
        } else {
          fail(
            entry,
            'rejected',
            `the server answered ${response.status}, which no retry can fix`,
            {
              status: response.status,
            },
          );
        }
        pump();
      },
      (error: unknown) => {
        if (!finish(attempt)) return;
        // Aborted by close(): stays pending, reported by close().
        if (stopped) return;
        retryOrFail(entry, 'network', { error });
        pump();
      },
    );
  }

  function retryOrFail(
    entry: Entry,
    reason: 'status' | 'network' | 'timeout',
    detail: { status?: number; retryAfter?: string | null; error?: unknown },
  ) {
    if (stopped) return;
    const extra = detail.status === undefined ? { error: detail.error } : { status: detail.status };
    if (entry.attempts >= policy.maxAttempts) {
      fail(
        entry,
        'max_attempts',
        `gave up after ${entry.attempts} attempts (retry.maxAttempts)`,
        extra,
      );
      return;
    }
    const now = clock.now();
    let delayMs = backoffDelay(entry.attempts, policy, clock.random);
    const retryAfter = parseRetryAfter(detail.retryAfter, now);
    if (retryAfter !== undefined) {
      delayMs = Math.max(delayMs, retryAfter);
      const until = now + retryAfter;
      if ((pausedOrigins.get(entry.origin) ?? 0) < until) pausedOrigins.set(entry.origin, until);
    }
    if (now + delayMs - entry.stored.enqueuedAt > policy.maxAgeMs) {
      fail(
        entry,
        'expired',
        `the next retry would come after ${policy.maxAgeMs} ms (retry.maxAgeMs)`,
        extra,
      );
      return;
    }
    totals.retries++;
    entry.notBefore = now + delayMs;
    insertDelayed(entry);
    emitter.emit('retry', {
      id: entry.stored.id,
      request: entry.stored.request,
      attempt: entry.attempts,
      delayMs,
      reason,
      ...extra,
    });
  }

  function makeRoom(bytes: number): boolean {
    if (bytes > maxBytes) return false;
    const fits = () => queuedCount() < maxLength && queuedBytes + bytes <= maxBytes;
    if (fits()) return true;
    if (overflow === 'refuse') return false;
    const evict = (entry: Entry) => {
      if (entry.inFlight || entry.settled) return;
      settle(entry, 'evicted');
      drop(
        'evicted',
        entry.stored.request,
        'evicted to make room for a newer request (overflow: drop-oldest)',
        entry.stored.id,
      );
    };
    for (const entry of pendingInitial.values()) {
      if (fits()) return true;
      evict(entry);
    }
    for (let i = orderHead; i < order.length && !fits(); i++) evict(order[i]!);
    return fits();
  }

  function enqueue(
    request: TrackingRequest,
    extra: { id?: string; enqueuedAt?: number } = {},
  ): EnqueueResult {
    if (closed) {
      drop('closed', request, 'the client is closed: create a new one to send more');
      return { accepted: false, reason: 'closed' };
    }
    const bytes = request.url.length + (request.body?.length ?? 0);
    if (!makeRoom(bytes)) {
      drop(
        'queue_full',
        request,
        `the queue is full (${queuedCount()} requests, ${queuedBytes} bytes; maxQueueLength ${maxLength}, maxQueueBytes ${maxBytes})`,
      );
      return { accepted: false, reason: 'queue_full' };
    }
    const stored: StoredRequest = {
      id: extra.id ?? generateId(),
      request,
      enqueuedAt: extra.enqueuedAt ?? clock.now(),
    };
    storeCall('add a request', () => store!.add(stored));
    ready.push(admit(stored));
    pump();
    return { accepted: true, id: stored.id };
  }

  // A synchronous store is read without yielding, so no settlement can slip between read and check.
  // Stored requests are admitted past the caps: they were accepted once, and refusing them now would
  // lose them. A store bounds its own size (the node spool's maxBytes).
  function restoreFrom(entries: readonly StoredRequest[], initial: boolean): number {
    const admitted: Entry[] = [];
    for (const stored of entries) {
      if (isPending(stored.id) || settledIds.has(stored.id)) continue;
      admitted.push(admit(stored, initial));
    }
    if (admitted.length === 0) return 0;
    // Older requests go before anything this run enqueued.
    if (initial) ready.splice(readyHead, 0, ...admitted);
    else ready.push(...admitted);
    pump();
    return admitted.length;
  }

  function load(initial: boolean): number | Promise<number> {
    if (!store) return 0;
    const fail = (error: unknown) => {
      warnStore(error, 'load earlier requests');
      return 0;
    };
    try {
      const loaded = store.load();
      if (!(loaded instanceof Promise)) return restoreFrom(loaded, initial);
      return loaded.then((entries) => restoreFrom(entries, initial), fail);
    } catch (error) {
      return fail(error);
    }
  }

  async function restore(): Promise<number> {
    await ready$;
    return load(false);
  }

  // Read what an earlier run left once listeners attached right after creation can hear about it.
  const ready$ = Promise.resolve()
    .then(() => load(true))
    .then(() => {
      initialDone = true;
      resolveWaiters();
    });

  // A waiter counts the outcomes of everything queued up to now; it resolves when all are settled.
  function wait(): { waiter: Waiter; done: Promise<FlushResult> } {
    const dropped = droppedSinceFlush;
    droppedSinceFlush = 0;
    let resolve!: (result: FlushResult) => void;
    const done = new Promise<FlushResult>((r) => {
      resolve = r;
    });
    const waiter: Waiter = {
      threshold: seq,
      delivered: 0,
      failed: 0,
      dropped,
      resolve,
    };
    waiters.push(waiter);
    resolveWaiters();
    if (waiters.includes(waiter)) {
      // A retry timer must keep the process alive while someone waits for it.
      rearm();
      pump();
    }
    return { waiter, done };
  }

  function flush(): Promise<FlushResult> {
    return wait().done;
  }

  function close(closeOptions: { timeoutMs?: number } = {}): Promise<CloseResult> {
    if (closing) return closing;
    closed = true;
    const timeoutMs = closeOptions.timeoutMs ?? 10_000;
    const { waiter, done } = wait();
    closing = (async () => {
      const deadline = new AbortController();
      const timedOut = clock
        .sleep(timeoutMs, deadline.signal, true)
        .then(() => !deadline.signal.aborted);
      const expired = await Promise.race([done.then(() => false), timedOut]);
      deadline.abort(CANCELLED);
      if (expired) {
        stopped = true;
        wake?.cancel.abort(CANCELLED);
        wake = undefined;
        timeoutWake?.cancel.abort(CANCELLED);
        timeoutWake = undefined;
        // Nothing more will settle: every flush() still waiting resolves with what it got.
        for (const other of waiters.splice(0)) {
          if (other !== waiter) {
            other.resolve({
              delivered: other.delivered,
              failed: other.failed,
              dropped: other.dropped,
            });
          }
        }
        for (const entry of inFlight) entry.inFlight?.abort(CANCELLED);
      }
      const remaining = allPending();
      const persisted = remaining.length > 0 && store?.durable === true;
      if (!persisted) {
        for (const entry of remaining) {
          drop(
            'unsent_at_close',
            entry.stored.request,
            `not delivered before close({ timeoutMs: ${timeoutMs} })`,
            entry.stored.id,
          );
        }
      }
      return {
        delivered: waiter.delivered,
        failed: waiter.failed,
        dropped: waiter.dropped + (persisted ? 0 : remaining.length),
        remaining: remaining.length,
        persisted,
      };
    })();
    return closing;
  }

  return {
    enqueue,
    flush,
    close,
    pause() {
      paused = true;
      wake?.cancel.abort(CANCELLED);
      wake = undefined;
    },
    resume() {
      if (!paused) return;
      paused = false;
      pump();
    },
    restore,
    discard(ids) {
      let forgotten = 0;
      for (const id of ids) {
        const entry = pending.get(id) ?? pendingInitial.get(id);
        if (entry === undefined || entry.inFlight) continue;
        settle(entry, 'discarded');
        forgotten++;
      }
      return forgotten;
    },
    pending: () => allPending().map((entry) => entry.stored),
    stats: () => ({
      queued: queuedCount(),
      queuedBytes,
      inFlight: inFlight.size,
      delivered: totals.delivered,
      failed: totals.failed,
      dropped: totals.dropped,
      retries: totals.retries,
      paused,
      closed,
    }),
    on: emitter.on,
    ready: ready$,
  };
}
