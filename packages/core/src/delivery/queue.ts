import type { TrackingRequest } from '../encoding/tracking-request.js';
import { KmValidationError } from '../model/errors.js';
import { type Attempt, createAttempts } from './attempts.js';
import { createConcurrencyLimiter } from './concurrency-limiter.js';
import { createEmitter } from './emitter.js';
import { createFlushWaiters } from './flush-waiters.js';
import { createOriginPauses } from './origin-pauses.js';
import { ageOf, createQueueState, type Entry, requestBytes } from './queue-state.js';
import type {
  CloseResult,
  DeliveryEvents,
  DeliveryQueue,
  DeliveryQueueOptions,
  DropReason,
  EnqueueResult,
  FailureReason,
  FlushResult,
} from './queue-types.js';
import {
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  parseRetryAfter,
  pauseDelay,
  type RetryPolicy,
} from './retry-policy.js';
import { resolveScheduler } from './scheduler.js';
import { createSendLine } from './send-line.js';
import { createStoreHooks } from './store-hooks.js';
import { type StoredRequest, startRequest, type TransportResponse } from './types.js';
import { createWakeTimer } from './wake-timer.js';

/** The engine's defaults for the adaptive window; each client sets its own. */
const DEFAULT_MAX_CONCURRENCY = 64;
const DEFAULT_INITIAL_CONCURRENCY = 8;

// A constant abort reason: `abort()` without one builds a DOMException with a stack each time.
const CANCELLED = Symbol('cancelled');

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

/**
 * Creates the delivery engine every kmkit cloud sender uses: a bounded FIFO of tracking requests
 * sent through an adaptive concurrency window, retried with full-jitter backoff (a `Retry-After` is
 * a floor for its request; only a sustained run of limits pauses the origin), timed out per attempt
 * on a monotonic clock, optionally persisted through a {@link Store}, with typed events for every
 * outcome. Requests carry their `_t` from parse time, so a resend is the same request and
 * Kissmetrics counts it once.
 *
 * This file is the policy; each mechanism is a file of its own: the queue's state and caps
 * (`queue-state`), the send order (`send-line`), the window (`concurrency-limiter`), origin pauses
 * (`origin-pauses`), retry decisions (`retry-policy`), attempts and their timeouts (`attempts`),
 * persistence (`store-hooks`) and flush/close waiters (`flush-waiters`).
 */
export function createDeliveryQueue(options: DeliveryQueueOptions): DeliveryQueue {
  const { transport } = options;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  positive('retry.maxAttempts', policy.maxAttempts, 1);
  positive('retry.timeoutMs', policy.timeoutMs, 1);
  const maxConcurrency = Math.floor(
    options.maxConcurrency === undefined
      ? positive('concurrency', options.concurrency, DEFAULT_MAX_CONCURRENCY)
      : positive('maxConcurrency', options.maxConcurrency, DEFAULT_MAX_CONCURRENCY),
  );
  const initialConcurrency = positive(
    'initialConcurrency',
    options.initialConcurrency,
    DEFAULT_INITIAL_CONCURRENCY,
  );
  const clock = resolveScheduler(options.scheduler);
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
  const store = createStoreHooks(options.store, (error, action) => {
    emitter.emit('warning', {
      code: 'store_failed',
      message: `the store failed to ${action}; delivery continues in memory`,
      error,
    });
  });
  // The durability contract: what a durable store holds is retried until it is too old.
  const boundedByAttempts = !(store.durable && options.durableRetry !== 'max-attempts');

  const caps = {
    maxLength: positive('maxQueueLength', options.maxQueueLength, 10_000),
    maxBytes: positive('maxQueueBytes', options.maxQueueBytes, 16 * 1024 * 1024),
    overflow: options.overflow ?? 'refuse',
  };
  const state = createQueueState(caps);
  const line = createSendLine();
  const limiter = createConcurrencyLimiter({ initial: initialConcurrency, max: maxConcurrency });
  const pauses = createOriginPauses();
  const attempts = createAttempts(clock, policy.timeoutMs, (due) => {
    for (const attempt of due) attemptFailed(attempt, 'timeout', {});
    pump();
  });
  const waiters = createFlushWaiters();
  const wake = createWakeTimer(clock, () => pump());

  let paused = options.paused ?? false;
  let closed = false;
  let stopped = false; // close() deadline passed: nothing more is sent
  let closing: Promise<CloseResult> | undefined;
  let initialDone = false;
  const totals = { delivered: 0, failed: 0, dropped: 0, retries: 0 };
  let droppedSinceFlush = 0;

  // --- sending -----------------------------------------------------------------------------------

  function pump() {
    if (paused || stopped) return;
    const now = clock.monotonic();
    line.release(now);
    while (attempts.count() < limiter.limit()) {
      const entry = line.next();
      if (!entry) break;
      const pausedUntil = pauses.pausedUntil(entry.origin, now);
      if (pausedUntil !== undefined) {
        line.hold(entry, pausedUntil);
      } else if (ageOf(entry, now) > policy.maxAgeMs) {
        fail(entry, 'expired', `not delivered within ${policy.maxAgeMs} ms (retry.maxAgeMs)`);
      } else {
        send(entry);
      }
    }
    scheduleWake();
  }

  function scheduleWake() {
    if (stopped || paused) return;
    const due = line.nextDue();
    // A retry timer keeps the process alive while someone waits for it.
    if (due !== undefined) wake.set(due, waiters.size() > 0 || closing !== undefined);
  }

  function rearmWake() {
    wake.cancel();
    scheduleWake();
  }

  function send(entry: Entry) {
    const attempt = attempts.start(entry, limiter.sent());
    const started = startRequest(transport, entry.stored.request);
    attempt.abort = (reason) => started.abort(reason);
    started.response.then(
      (response) => {
        if (attempts.finish(attempt)) answered(attempt, response);
      },
      (error: unknown) => {
        // Aborted by close(): stays pending, reported by close().
        if (!attempts.finish(attempt) || stopped) return;
        attemptFailed(attempt, 'network', { error });
        pump();
      },
    );
  }

  // --- outcomes ----------------------------------------------------------------------------------

  function answered(attempt: Attempt, response: TransportResponse) {
    const { entry } = attempt;
    const verdict = classifyStatus(response.status);
    if (verdict === 'retry') {
      attemptFailed(attempt, 'status', {
        status: response.status,
        retryAfter: response.retryAfter,
      });
    } else {
      // A final 4xx is a healthy answer too: the endpoint answered, and quickly.
      const now = clock.monotonic();
      pauses.healthy(entry.origin);
      limiter.answered({
        seq: attempt.seq,
        outcome: 'healthy',
        roundTripMs: now - attempt.startedAt,
        waiting: line.hasReady(),
        inFlight: attempts.count() + 1,
        at: now,
      });
      if (verdict === 'delivered') {
        settle(entry, 'delivered');
        emitter.emit('delivered', {
          id: entry.stored.id,
          request: entry.stored.request,
          status: response.status,
          attempts: entry.attempts,
        });
      } else {
        fail(entry, 'rejected', `the server answered ${response.status}, which no retry can fix`, {
          status: response.status,
        });
      }
    }
    pump();
  }

  // A 429, 408, 5xx, timeout or network error: the window shrinks, a sustained run pauses the
  // origin, and the request is retried after its backoff (never before its Retry-After) or fails.
  // A 429, or any such answer with a Retry-After, is the endpoint asking for fewer requests.
  function attemptFailed(
    attempt: Attempt,
    reason: 'status' | 'network' | 'timeout',
    detail: { status?: number; retryAfter?: string | null; error?: unknown },
  ) {
    if (stopped) return;
    const { entry } = attempt;
    const now = clock.monotonic();
    const retryAfterMs = parseRetryAfter(detail.retryAfter, clock.now());
    const sustained = pauses.limited(entry.origin, {
      now,
      inFlight: attempts.count() + 1,
      retryAfterMs,
      backoffMs: (pause) => pauseDelay(pause, policy, clock.random),
    });
    if (sustained) limiter.restart();
    limiter.answered({
      seq: attempt.seq,
      outcome: detail.status === 429 || retryAfterMs !== undefined ? 'limited' : 'failed',
      waiting: line.hasReady(),
      inFlight: attempts.count() + 1,
      at: now,
    });

    const extra = detail.status === undefined ? { error: detail.error } : { status: detail.status };
    const decision = decideRetry(
      { attempts: entry.attempts, ageMs: ageOf(entry, now), retryAfterMs, boundedByAttempts },
      policy,
      clock.random,
    );
    if (!decision.retry) {
      fail(entry, decision.reason, decision.message, extra);
      return;
    }
    totals.retries++;
    line.hold(entry, now + decision.delayMs);
    emitter.emit('retry', {
      id: entry.stored.id,
      request: entry.stored.request,
      attempt: entry.attempts,
      delayMs: decision.delayMs,
      reason,
      ...extra,
    });
  }

  function settle(entry: Entry, outcome: 'delivered' | 'failed' | 'evicted' | 'discarded') {
    if (!state.settle(entry)) return;
    store.remove(entry.stored.id);
    if (outcome === 'delivered') totals.delivered++;
    else if (outcome === 'failed') totals.failed++;
    if (outcome === 'delivered' || outcome === 'failed') {
      waiters.count(entry, outcome === 'delivered');
    }
    resolveWaiters();
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

  function drop(
    reason: DropReason,
    request: TrackingRequest,
    message: string,
    details: { id?: string; error?: unknown } = {},
  ) {
    totals.dropped++;
    droppedSinceFlush++;
    emitter.emit('drop', { reason, request, message, ...details });
  }

  // --- accepting ---------------------------------------------------------------------------------

  function enqueue(
    request: TrackingRequest,
    extra: { id?: string; enqueuedAt?: number } = {},
  ): EnqueueResult {
    if (closed) {
      drop('closed', request, 'the client is closed: create a new one to send more');
      return { accepted: false, reason: 'closed' };
    }
    const evict = state.roomFor(requestBytes(request));
    if (!evict) {
      drop(
        'queue_full',
        request,
        `the queue is full (${state.count()} requests, ${state.bytes()} bytes; maxQueueLength ${caps.maxLength}, maxQueueBytes ${caps.maxBytes})`,
      );
      return { accepted: false, reason: 'queue_full' };
    }
    const wallNow = clock.now();
    const stored: StoredRequest = {
      id: extra.id ?? generateId(),
      request,
      enqueuedAt: extra.enqueuedAt ?? wallNow,
    };
    const refused = store.add(stored);
    if (refused) {
      // Whatever of it the store kept must not come back through a load.
      state.forget(stored.id);
      // Held in memory only, it would be lost in a crash while the caller believes it safe.
      const reason = refused.error instanceof Error ? refused.error.message : String(refused.error);
      drop(
        'spool_failed',
        request,
        `the durable store could not keep the request (${reason}): refused, not held in memory only`,
        { error: refused.error },
      );
      return { accepted: false, reason: 'spool_failed' };
    }
    for (const entry of evict) {
      settle(entry, 'evicted');
      drop(
        'evicted',
        entry.stored.request,
        'evicted to make room for a newer request (overflow: drop-oldest)',
        { id: entry.stored.id },
      );
    }
    line.push(state.admit(stored, false, wallNow, clock.monotonic()));
    pump();
    return { accepted: true, id: stored.id };
  }

  // A synchronous store is read without yielding, so no settlement can slip between read and check.
  // Stored requests are admitted past the caps: they were accepted once, and refusing them now would
  // lose them. A store bounds its own size (the node spool's maxBytes).
  function restoreFrom(entries: readonly StoredRequest[], initial: boolean): number {
    const wallNow = clock.now();
    const now = clock.monotonic();
    const admitted: Entry[] = [];
    for (const stored of entries) {
      if (!state.knows(stored.id)) admitted.push(state.admit(stored, initial, wallNow, now));
    }
    if (admitted.length === 0) return 0;
    // Older requests go before anything this run enqueued.
    if (initial) line.pushFront(admitted);
    else for (const entry of admitted) line.push(entry);
    pump();
    return admitted.length;
  }

  function load(initial: boolean): number | Promise<number> {
    const loaded = store.load();
    return loaded instanceof Promise
      ? loaded.then((entries) => restoreFrom(entries, initial))
      : restoreFrom(loaded, initial);
  }

  // Read what an earlier run left once listeners attached right after creation can hear about it.
  const ready = Promise.resolve()
    .then(() => load(true))
    .then(() => {
      initialDone = true;
      resolveWaiters();
    });

  // --- waiting -----------------------------------------------------------------------------------

  function resolveWaiters() {
    if (waiters.size() === 0) return;
    waiters.resolveSettled(
      state.oldest()?.seq ?? Number.POSITIVE_INFINITY,
      initialDone && state.initialCount() === 0,
    );
    // Nobody waits any more: the retry timer need not hold the process.
    if (waiters.size() === 0 && wake.keepsAlive()) rearmWake();
  }

  // A waiter counts the outcomes of everything queued up to now; it resolves when all are settled.
  function wait() {
    const dropped = droppedSinceFlush;
    droppedSinceFlush = 0;
    const waiting = waiters.add(state.lastSeq(), dropped);
    resolveWaiters();
    if (waiters.has(waiting.waiter)) {
      rearmWake();
      pump();
    }
    return waiting;
  }

  function close(closeOptions: { timeoutMs?: number } = {}): Promise<CloseResult> {
    if (closing) return closing;
    closed = true;
    const timeoutMs = closeOptions.timeoutMs ?? 10_000;
    const { waiter, done } = wait();
    closing = (async () => {
      const deadline = new AbortController();
      // The deadline is a monotonic sleep too: a wall clock step cannot stretch or cut it.
      const timedOut = clock
        .sleep(timeoutMs, deadline.signal, true)
        .then(() => !deadline.signal.aborted);
      const expired = await Promise.race([done.then(() => false), timedOut]);
      deadline.abort(CANCELLED);
      if (expired) {
        stopped = true;
        wake.cancel();
        attempts.stop();
        // Nothing more will settle: every flush() still waiting resolves with what it got.
        waiters.resolveAll(waiter);
        for (const entry of attempts.entries()) entry.inFlight?.abort(CANCELLED);
      }
      const remaining = state.unsettled();
      const persisted = remaining.length > 0 && store.durable;
      if (!persisted) {
        for (const entry of remaining) {
          drop(
            'unsent_at_close',
            entry.stored.request,
            `not delivered before close({ timeoutMs: ${timeoutMs} })`,
            { id: entry.stored.id },
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
    flush: (): Promise<FlushResult> => wait().done,
    close,
    pause() {
      paused = true;
      wake.cancel();
    },
    resume() {
      if (!paused) return;
      paused = false;
      pump();
    },
    async restore() {
      await ready;
      return load(false);
    },
    discard(ids) {
      let forgotten = 0;
      for (const id of ids) {
        const entry = state.get(id);
        if (entry === undefined || entry.inFlight) continue;
        settle(entry, 'discarded');
        forgotten++;
      }
      return forgotten;
    },
    pending: () => state.unsettled().map((entry) => entry.stored),
    stats: () => ({
      queued: state.count(),
      queuedBytes: state.bytes(),
      inFlight: attempts.count(),
      concurrency: limiter.limit(),
      delivered: totals.delivered,
      failed: totals.failed,
      dropped: totals.dropped,
      retries: totals.retries,
      paused,
      closed,
    }),
    on: emitter.on,
    ready,
  };
}
