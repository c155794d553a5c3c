import type { TrackingRequest } from '../encoding/tracking-request.js';

/** What a transport saw of the server's answer. */
export interface TransportResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The `Retry-After` header, when there was one. */
  readonly retryAfter?: string | null;
}

/**
 * Sends one tracking request. Resolves with the answer whatever its status; rejects on a network
 * error or when `signal` aborts (the engine aborts on its per-attempt timeout and on `close()`).
 */
export interface Transport {
  send(request: TrackingRequest, signal: AbortSignal): Promise<TransportResponse>;
  /**
   * Optional, and the same request as `send`: starts it and hands back how to abort it. A transport
   * that can abort without an `AbortSignal` (`@kmkit/node`'s undici pool) offers it, and the engine
   * then makes no `AbortController` per attempt, a measurable share of the CPU a request costs.
   */
  start?(request: TrackingRequest): TransportAttempt;
}

/** A request a {@link Transport} started: its answer, and how to abort it. */
export interface TransportAttempt {
  /** Settles as `send`'s promise does (after `abort`, it may still settle either way: ignored). */
  readonly response: Promise<TransportResponse>;
  /** Aborts the request; `reason` is what `AbortController.abort` would be given. */
  abort(reason: unknown): void;
}

/**
 * Starts `request` through `transport`: its own `start`, or `send` with an AbortController. Never
 * throws: a transport that throws gives a rejected `response`.
 */
export function startRequest(transport: Transport, request: TrackingRequest): TransportAttempt {
  try {
    if (transport.start) return transport.start(request);
    const controller = new AbortController();
    return {
      response: transport.send(request, controller.signal),
      abort: (reason) => controller.abort(reason),
    };
  } catch (error) {
    return { response: Promise.reject(error), abort: () => {} };
  }
}

/** A queued request as a {@link Store} keeps it. */
export interface StoredRequest {
  /** Unique across processes and page loads, so acknowledgements never hit another request. */
  readonly id: string;
  readonly request: TrackingRequest;
  /** When it was first enqueued (ms since the epoch); ages count from here across restarts. */
  readonly enqueuedAt: number;
}

/**
 * Where queued requests outlive the process or the page: the node spool, `localStorage`.
 * `add` runs before `enqueue` returns and `remove` once a request is settled (delivered or failed for
 * good).
 *
 * A **durable** store (`durable: true`, the node spool) is a promise: what `add` accepted survives a
 * crash. So its `add` must be synchronous and must throw when the request was not written whole
 * (a short write, a full disk, an I/O error); `enqueue` then refuses the request (`accepted: false`,
 * a `drop` with reason `spool_failed`) rather than keep in memory what the caller believes is safe.
 * An `add` of a durable store that returns a promise cannot keep that promise when `enqueue`
 * returns: such a request is refused the same way (and removed again). A durably stored request is
 * retried until `retry.maxAgeMs`, never failed for `retry.maxAttempts`.
 *
 * A store that is not durable is best effort: when it throws (or its promise rejects) a `warning`
 * reports it and delivery carries on in memory.
 */
export interface Store {
  /** True when requests in the store survive a crash; `close()` then leaves the unsent ones there. */
  readonly durable: boolean;
  /** Requests left by an earlier process or page, oldest first. */
  load(): readonly StoredRequest[] | Promise<readonly StoredRequest[]>;
  /** Keeps a request; synchronous, throwing when it could not, for a durable store. */
  add(entry: StoredRequest): void | Promise<void>;
  remove(id: string): void | Promise<void>;
}

/**
 * The clocks, timers and randomness of the engine, injected so tests need no fake timers.
 *
 * Two clocks: the wall clock (`now`) only dates things (`_t`, `enqueuedAt`, ages that must survive a
 * restart); every delay, deadline and timeout is measured on the monotonic clock, so a wall clock
 * stepped by NTP or by hand never freezes or expires anything.
 */
export interface Scheduler {
  /** The wall clock: milliseconds since the epoch. */
  now(): number;
  /**
   * A monotonic clock in milliseconds from any origin (`performance.now()`): it never steps back
   * or jumps. `sleep` counts on it. When a scheduler brings its own `sleep` but no `monotonic`, the
   * engine measures on its `now`, the clock that `sleep` then moves.
   */
  monotonic?(): number;
  /**
   * Resolves after `ms` of monotonic time, or early (without rejecting) when `signal` aborts. Unless
   * `keepAlive` is true the timer must not keep the process alive (Node: `unref`), so a script with
   * queued retries can still exit; the engine asks for `keepAlive` while a `flush()` or `close()`
   * is waiting.
   */
  sleep(ms: number, signal?: AbortSignal, keepAlive?: boolean): Promise<void>;
  /** A number in `[0, 1)`. */
  random(): number;
}
