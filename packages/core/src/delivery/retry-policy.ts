/**
 * When and how often a request is tried again. Delays use exponential backoff with full jitter:
 * the n-th retry waits a random time in `[0, min(maxDelayMs, baseDelayMs * 2^(n-1)))`, and never less
 * than a server's `Retry-After`.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. After the last retryable failure the request fails. */
  readonly maxAttempts: number;
  /** The first backoff window. */
  readonly baseDelayMs: number;
  /** The largest backoff window (the cap). */
  readonly maxDelayMs: number;
  /** A request older than this (since it was enqueued) is not tried again and fails as `expired`. */
  readonly maxAgeMs: number;
  /** Each attempt is aborted and retried after this long without an answer. */
  readonly timeoutMs: number;
}

/** The defaults: 10 attempts, backoff from 0.5 s capped at 30 s, give up after 24 h, 10 s timeout. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 10,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxAgeMs: 24 * 60 * 60 * 1000,
  timeoutMs: 10_000,
});

/** What an HTTP status means for a tracking request. */
export type StatusClass = 'delivered' | 'retry' | 'failed';

/**
 * Classifies an answer of the tracking API: 2xx and 304 are delivered (Kissmetrics answers 200 even to
 * malformed requests); 408, 429 and 5xx (except 501 Not Implemented and 505 HTTP Version Not
 * Supported, which no retry can fix) are retried; anything else is a final failure.
 */
export function classifyStatus(status: number): StatusClass {
  if ((status >= 200 && status < 300) || status === 304) return 'delivered';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 500 && status < 600 && status !== 501 && status !== 505) return 'retry';
  return 'failed';
}

/**
 * Reads a `Retry-After` header as a delay in milliseconds from `nowMs`: either delay-seconds
 * (`"120"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`). A date in the past gives 0;
 * a missing or unreadable value gives `undefined`.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The backoff before retry number `retry` (1 for the first retry): full jitter over an exponentially
 * growing, capped window. `random` returns a number in `[0, 1)`.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * window);
}

/**
 * How long the n-th pause in a row of an origin that limits every request lasts: the backoff
 * window of retry `n`, half of it fixed (a pause is a pause) and half jittered.
 */
export function pauseDelay(pause: number, policy: RetryPolicy, random: () => number): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, pause - 1));
  return Math.floor(window / 2 + (random() * window) / 2);
}

/** What follows a retryable failure: another attempt after `delayMs`, or failure for good. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | {
      readonly retry: false;
      readonly reason: 'max_attempts' | 'expired';
      readonly message: string;
    };

/** What {@link decideRetry} weighs. */
export interface RetryState {
  /** Attempts made so far, the failed one included. */
  readonly attempts: number;
  /** The request's age now (ms). */
  readonly ageMs: number;
  /** The server's `Retry-After` as a delay, when it sent one. */
  readonly retryAfterMs?: number | undefined;
  /**
   * False for a request a durable store holds: it is retried until `maxAgeMs`, whatever the count
   * of attempts (the durability contract).
   */
  readonly boundedByAttempts: boolean;
}

/**
 * Decides what follows a retryable failure: the next attempt after a full-jitter backoff, never
 * sooner than the server's `Retry-After` (a floor for this request); or failure for good when the
 * attempts ran out (`max_attempts`, only when bounded by them) or the next attempt would come after
 * `maxAgeMs` (`expired`).
 */
export function decideRetry(
  state: RetryState,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  if (state.boundedByAttempts && state.attempts >= policy.maxAttempts) {
    return {
      retry: false,
      reason: 'max_attempts',
      message: `gave up after ${state.attempts} attempts (retry.maxAttempts)`,
    };
  }
  const delayMs = Math.max(backoffDelay(state.attempts, policy, random), state.retryAfterMs ?? 0);
  if (state.ageMs + delayMs > policy.maxAgeMs) {
    return {
      retry: false,
      reason: 'expired',
      message: `the next retry would come after ${policy.maxAgeMs} ms (retry.maxAgeMs)`,
    };
  }
  return { retry: true, delayMs };
}
