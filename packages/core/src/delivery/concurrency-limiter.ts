/**
 * The adaptive concurrency window: how many requests may be in flight. Throughput over a network is
 * about window / round trip, so a fixed window caps delivery whatever the endpoint could take. This
 * one follows TCP's congestion control, counting requests and answers instead of packets and acks:
 *
 * - **Slow start**: the window holds through the first round trip, which only sets the base latency
 *   (connections opening and code loading make it slow). From the second, each healthy answer while
 *   requests wait for a slot adds one (the window doubles every round trip), until a round trip
 *   comes back queueing (see below) or more than one in eight of its answers failed.
 * - **Then** each such answer adds 1/8 (+12.5% a round trip) while round trips stay quick: hundreds
 *   in flight within seconds even at 200 ms, where TCP's +1 a round trip would take minutes.
 * - **Queueing** (as TCP Vegas sees it): when a quarter of a round trip's answers took more than
 *   twice, and 1 ms more than, the quickest answer of the last 10 to 20 s, requests wait somewhere
 *   (at the endpoint, on the path, in this process's busy event loop) and more in flight would only
 *   wait longer. Each answer then takes 1/8 off, down to `initial`, and slow start is over. Between
 *   1.5 and 2 times the window holds. (The lower quartile, so that a handshake on new connections or
 *   a slow tail is not taken for a queue.)
 * - **Every failed answer** (a 5xx, 408, timeout or network error) and every **rate limit** (a 429,
 *   or any retryable answer with a `Retry-After`) takes half a slot off (off what is in flight, when
 *   the window had room the traffic never used): a round trip of nothing but
 *   failures halves the window, scattered ones only nibble at it (past slow start the window still
 *   grows while fewer than about one answer in five fails). Failures bring the window down to
 *   `initial`; only rate limits take it further, down to 1. So an endpoint that is merely flaky is
 *   never served slower than a fixed window of `initial` would serve it, and one that says "slow
 *   down" is obeyed.
 * - **Re-measuring the base**: a window that grew while everything was slow (a process starting up,
 *   compiling its code) can sit on a queue of its own making, whose quickest answer then passes for
 *   the base. So once slow start has ended on a queue, and every 10 s while the window is above
 *   `initial`, one round trip goes at `initial` (TCP BBR's ProbeRTT), which shows the quickest answer
 *   the endpoint really gives.
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
  /** Requests in flight when the answer came, this one included. */
  readonly inFlight: number;
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
/**
 * A round trip whose time (its lower quartile) is over twice the base latency, and 1 ms more, is
 * queueing; one over 1.5 times and 0.5 ms more is rising, and holds the window where it is. The
 * milliseconds are timer and scheduling noise (sub-millisecond loopback times double for nothing).
 */
const QUEUEING = 1.5;
const RISING = 1.25;
const QUEUE_SLACK_MS = 1;
/** Slow start ends after a round trip with more than this share of failed or limited answers. */
const SLOW_START_FAILED_SHARE = 1 / 8;
/**
 * The path's base latency is the quickest answer of the last 10 to 20 s: long enough that a window
 * grown into a queue does not become the new base, short enough to follow a route change.
 */
const BASE_PERIOD_MS = 10_000;

function newRoundTrip(start: number) {
  return { start, answers: 0, failed: 0, times: [] as number[] };
}

/**
 * A round trip's time: its lower quartile (sorting `times`). Not the mean or the median, which a
 * handshake on new connections or a slow tail inflates; not the quickest, which one request that
 * slipped in between two busy moments of an event loop understates.
 */
function roundTripTime(times: number[]): number {
  times.sort((a, b) => a - b);
  return times[Math.floor((times.length - 1) / 4)]!;
}

/** Creates a window at `initial`, bounded by `max`. */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const { max } = options;
  const initial = Math.min(max, Math.max(1, options.initial));
  let window = initial;
  let slowStartUntil = max;
  let nextSeq = 0;
  // One round trip: ends at the answer to the first request sent after it began. The first one
  // covers the initial window, so that one early failure is weighed among its peers.
  let roundTrip = newRoundTrip(initial);
  // The quickest answers of this period and of the one before: the path's base latency.
  let periodStart = Number.NEGATIVE_INFINITY;
  let periodBase = Number.POSITIVE_INFINITY;
  let previousBase = Number.POSITIVE_INFINITY;
  // What the last round trip's time said: growth only while `clear`, shrink while `queueing`. The
  // window holds through the first round trip, which only sets the base (connections opening, code
  // loading: nothing to judge by), and grows in the second, which is judged.
  let latency: 'clear' | 'rising' | 'queueing' = 'rising';
  // The window when the endpoint last answered well: where slow start climbs back to after a pause.
  let healthyWindow = window;
  // A round trip at the initial window re-measures the base latency (TCP BBR's ProbeRTT): due once
  // slow start has ended on a queue, then every 10 s while the window is above its start.
  let probing = false;
  let probeAt = Number.POSITIVE_INFINITY;
  // Paused and probing (restart()): the climb back is set, whatever the answers still coming in.
  let restarted = false;

  function endRoundTrip(at: number) {
    const { answers, failed, times } = roundTrip;
    if (times.length > 0) {
      const time = roundTripTime(times);
      if (at - periodStart >= BASE_PERIOD_MS) {
        previousBase = periodBase;
        periodBase = Number.POSITIVE_INFINITY;
        periodStart = at;
      }
      // The first round trip (connections opening, code loading) only sets the base.
      const first = periodBase === Number.POSITIVE_INFINITY && previousBase === periodBase;
      periodBase = Math.min(periodBase, times[0]!);
      const base = Math.min(periodBase, previousBase);
      latency = first
        ? 'clear'
        : time > QUEUEING * base + QUEUE_SLACK_MS
          ? 'queueing'
          : time > RISING * base + QUEUE_SLACK_MS / 2
            ? 'rising'
            : 'clear';
    }
    const queueing = latency === 'queueing';
    const failing = !restarted && failed > answers * SLOW_START_FAILED_SHARE;
    // Not on a round trip that is merely slower (rising): new connections and a process warming up
    // look like that while slow start opens them.
    if (window < slowStartUntil && (queueing || failing)) {
      slowStartUntil = window;
      // A window grown while everything was slow (a process starting) may sit on its own queue.
      if (queueing) probeAt = Math.min(probeAt, at);
    }
    // The round trip in which the endpoint answered well again ends the restart.
    if (restarted && failed < answers) restarted = false;
    if (probing) {
      probing = false;
    } else if (window > initial && at >= probeAt) {
      probing = true;
      probeAt = at + BASE_PERIOD_MS;
    }
    roundTrip = newRoundTrip(nextSeq);
  }

  function healthy(answer: LimiterAnswer) {
    if (latency === 'queueing') {
      if (window > initial) window = Math.max(initial, window - AVOIDANCE_STEP);
      // No slow start back up after a queue: growth resumes at +1/8.
      slowStartUntil = Math.min(slowStartUntil, window);
    } else if (latency === 'clear' && answer.waiting) {
      window = Math.min(max, window + (window < slowStartUntil ? 1 : AVOIDANCE_STEP));
    }
    healthyWindow = window;
  }

  function failed(outcome: LimiterOutcome, inFlight: number) {
    const floor = outcome === 'limited' ? 1 : Math.min(window, initial);
    // Headroom the traffic never used was never shown to be safe: the shrink starts from what is
    // in flight, so that the first limits already slow the sending down.
    // (Not while probing: that headroom is the probe's, on purpose.)
    const used = !probing && window - inFlight >= 1 ? inFlight : window;
    window = Math.max(floor, used - FAILURE_COST);
    // Past the first slow start, what failures took is not refilled by slow start.
    if (slowStartUntil < max && !restarted) slowStartUntil = Math.min(slowStartUntil, window);
  }

  return {
    limit: () => Math.floor(probing ? Math.min(window, initial) : window),
    sent: () => nextSeq++,
    answered(answer) {
      // The answer counts in its round trip first: the one that ends it is weighed with the verdict.
      roundTrip.answers++;
      if (answer.outcome !== 'healthy') roundTrip.failed++;
      else if (answer.roundTripMs !== undefined) roundTrip.times.push(answer.roundTripMs);
      if (answer.seq >= roundTrip.start) endRoundTrip(answer.at);
      if (answer.outcome === 'healthy') healthy(answer);
      else failed(answer.outcome, answer.inFlight);
    },
    restart() {
      // However many pauses in a row, slow start climbs back to where healthy answers left it.
      slowStartUntil = Math.max(2, healthyWindow);
      window = 1;
      restarted = true;
    },
  };
}
