/**
 * The adaptive concurrency window: how many requests may be in flight. Throughput over a network is
 * about window / round trip, so a fixed window caps delivery whatever the endpoint could take. This
 * one follows TCP's congestion control, counting requests and answers instead of packets and acks:
 *
 * - **Slow start**: from `initial`, each healthy answer while requests wait for a slot adds one (the
 *   window doubles every round trip), until a round trip comes back queueing or more than one in
 *   eight of its answers failed.
 * - **Then** each such answer adds 1/8 (+12.5% a round trip) while round trips stay quick: hundreds
 *   in flight within seconds even at 200 ms, where TCP's +1 a round trip would take minutes.
 * - **Queueing** (as TCP Vegas sees it): when even the quickest answer of a round trip took over
 *   twice, and 5 ms more than, the quickest of the last 10 to 20 s, every request waits somewhere (at
 *   the endpoint, on the path, in this process's busy event loop) and more in flight would only wait
 *   longer. Each answer then takes 1/8 off, down to `initial`. The quickest answer rather than the
 *   mean, so that a handshake on a new connection or a slow tail is not taken for a queue.
 * - **Every failed answer** (a 5xx, 408, timeout or network error) and every **rate limit** (a 429,
 *   or any retryable answer with a `Retry-After`) takes half a slot off: a round trip of nothing but
 *   failures halves the window, scattered ones only nibble at it (past slow start the window still
 *   grows while fewer than about one answer in five fails). Failures bring the window down to
 *   `initial`; only rate limits take it further, down to 1. So an endpoint that is merely flaky is
 *   never served slower than a fixed window of `initial` would serve it, and one that says "slow
 *   down" is obeyed.
 * - `restart()` (every answer limited for a while: the origin is paused) sets the window to 1, so
 *   one request probes when the pause ends, and slow start climbs back to the window of the last
 *   healthy answer, however many pauses the run took.
 *
 * The window never grows while no request waits for a slot: a window the traffic does not use says
 * nothing about what the endpoint sustains. Pure: the engine passes in times and outcomes.
 */
export interface ConcurrencyLimiter {
  /** Requests that may be in flight now (at least 1, at most `max`). */
  limit(): number;
  /** Notes a request sent; returns its sequence number for {@link ConcurrencyLimiter.answered}. */
  sent(): number;
  /** Notes the outcome of an attempt. */
  answered(answer: LimiterAnswer): void;
  /** Back to one request in flight, slow start up to the current window. */
  restart(): void;
}

/**
 * What an attempt's outcome says about the endpoint: `healthy` (an answer that is not retried,
 * 2xx or a final 4xx), `failed` (5xx, 408, a timeout, a network error) or `limited` (a 429, or a
 * retryable answer with `Retry-After`: the endpoint asks for fewer requests).
 */
export type LimiterOutcome = 'healthy' | 'failed' | 'limited';

/** One attempt's outcome, as the limiter weighs it. */
export interface LimiterAnswer {
  /** The number {@link ConcurrencyLimiter.sent} gave the attempt. */
  readonly seq: number;
  readonly outcome: LimiterOutcome;
  /** The round trip of a healthy answer, in ms. */
  readonly roundTripMs?: number;
  /** Whether requests were waiting for a slot when the answer came (the window was the limit). */
  readonly waiting: boolean;
  /** When the answer came, on the monotonic clock. */
  readonly at: number;
}

/** Options of {@link createConcurrencyLimiter}. */
export interface ConcurrencyLimiterOptions {
  /** The window before the first answers, and the floor of every shrink but a rate limit's. */
  readonly initial: number;
  /** The largest window. */
  readonly max: number;
}

/** What a failed or limited answer takes off the window. */
const FAILURE_COST = 1 / 2;
/** Growth per healthy answer after slow start (+1/8 a round trip), and shrink while queueing. */
const AVOIDANCE_STEP = 1 / 8;
/** A round trip whose quickest answer took this many times the quickest recent one is queueing... */
const LATENCY_TOLERANCE = 2;
/**
 * ...and at least this much longer: below it the difference is a busy machine's scheduling noise
 * (sub-millisecond round trips on loopback double for nothing), not a queue.
 */
const QUEUE_SLACK_MS = 5;
/** Slow start ends after a round trip with more than this share of failed or limited answers. */
const SLOW_START_FAILED_SHARE = 1 / 8;
/**
 * The path's base latency is the quickest answer of the last 10 to 20 s: long enough that a window
 * grown into a queue does not become the new base, short enough to follow a route change.
 */
const BASE_PERIOD_MS = 10_000;

/** Creates a window at `initial`, bounded by `max`. */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const { max } = options;
  const initial = Math.min(max, Math.max(1, options.initial));
  let window = initial;
  let slowStartUntil = max;
  let nextSeq = 0;
  // One round trip: ends at the answer to the first request sent after it began. The first one
  // covers the initial window, so that one early failure is weighed among its peers.
  let roundTrip = { start: initial, answers: 0, failed: 0, quickest: Number.POSITIVE_INFINITY };
  // The quickest answers of this period and of the one before.
  let periodStart = Number.NEGATIVE_INFINITY;
  let periodBase = Number.POSITIVE_INFINITY;
  let previousBase = Number.POSITIVE_INFINITY;
  // The last round trip came back queueing: growth waits until one does not.
  let queueing = false;
  // The window when the endpoint last answered well: where slow start climbs back to after a pause.
  let healthyWindow = window;

  function endRoundTrip(at: number) {
    const { answers, failed, quickest } = roundTrip;
    if (quickest < Number.POSITIVE_INFINITY) {
      if (at - periodStart >= BASE_PERIOD_MS) {
        previousBase = periodBase;
        periodBase = Number.POSITIVE_INFINITY;
        periodStart = at;
      }
      periodBase = Math.min(periodBase, quickest);
      const base = Math.min(periodBase, previousBase);
      queueing = quickest > LATENCY_TOLERANCE * base && quickest - base > QUEUE_SLACK_MS;
    }
    if (window < slowStartUntil && (queueing || failed > answers * SLOW_START_FAILED_SHARE)) {
      slowStartUntil = window;
    }
    roundTrip = { start: nextSeq, answers: 0, failed: 0, quickest: Number.POSITIVE_INFINITY };
  }

  function healthy(answer: LimiterAnswer) {
    if (answer.roundTripMs !== undefined) {
      roundTrip.quickest = Math.min(roundTrip.quickest, answer.roundTripMs);
    }
    if (queueing) {
      if (window > initial) window = Math.max(initial, window - AVOIDANCE_STEP);
    } else if (answer.waiting) {
      window = Math.min(max, window + (window < slowStartUntil ? 1 : AVOIDANCE_STEP));
    }
    healthyWindow = window;
  }

  return {
    limit: () => Math.floor(window),
    sent: () => nextSeq++,
    answered(answer) {
      roundTrip.answers++;
      if (answer.outcome === 'healthy') {
        healthy(answer);
      } else {
        roundTrip.failed++;
        const floor = answer.outcome === 'limited' ? 1 : Math.min(window, initial);
        window = Math.max(floor, window - FAILURE_COST);
      }
      if (answer.seq >= roundTrip.start) endRoundTrip(answer.at);
    },
    restart() {
      // However many pauses in a row, slow start climbs back to where healthy answers left it.
      slowStartUntil = Math.max(2, healthyWindow);
      window = 1;
    },
  };
}
