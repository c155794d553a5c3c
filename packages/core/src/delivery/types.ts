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
 * good). A store that throws is reported as a `warning` and delivery carries on in memory.
 */
export interface Store {
  /** True when requests in the store survive a crash; `close()` then leaves the unsent ones there. */
  readonly durable: boolean;
  /** Requests left by an earlier process or page, oldest first. */
  load(): readonly StoredRequest[] | Promise<readonly StoredRequest[]>;
  add(entry: StoredRequest): void | Promise<void>;
  remove(id: string): void | Promise<void>;
}

/** The clock, timers and randomness of the engine, injected so tests need no fake timers. */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms`, or early (without rejecting) when `signal` aborts. Unless `keepAlive` is
   * true the timer must not keep the process alive (Node: `unref`), so a script with queued retries
   * can still exit; the engine asks for `keepAlive` while a `flush()` or `close()` is waiting.
   */
  sleep(ms: number, signal?: AbortSignal, keepAlive?: boolean): Promise<void>;
  /** A number in `[0, 1)`. */
  random(): number;
}
