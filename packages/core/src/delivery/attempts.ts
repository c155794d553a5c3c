import type { Entry } from './queue-state.js';
import type { Scheduler } from './types.js';
import { createWakeTimer } from './wake-timer.js';

/** One try to send an entry. */
export interface Attempt {
  readonly entry: Entry;
  /** Aborts the request; set by whoever sends it (a no-op until then). */
  abort: (reason: unknown) => void;
  /** The concurrency limiter's number for it. */
  readonly seq: number;
  /** Monotonic send time, for its round trip. */
  readonly startedAt: number;
  /** Monotonic time at which it is aborted as a timeout. */
  readonly deadline: number;
  done: boolean;
}

/**
 * The attempts in flight and their per-attempt timeout. Every attempt gets the same `timeoutMs`, so
 * deadlines only grow with send order and one timer, for the oldest unfinished attempt, covers them
 * all. Deadlines are monotonic: a wall clock stepped back never keeps a hung attempt alive.
 */
export interface Attempts {
  /** Starts an attempt of `entry` now. */
  start(entry: Entry, seq: number): Attempt;
  /** Marks an attempt over; false when it already was (a late answer after its timeout). */
  finish(attempt: Attempt): boolean;
  /** Attempts in flight. */
  count(): number;
  /** The entries in flight. */
  entries(): IterableIterator<Entry>;
  /** Stops timing out (at the `close()` deadline, in-flight attempts are aborted instead). */
  stop(): void;
}

const TIMEOUT = Symbol('timeout');
const noop = () => {};

/** Creates the attempt book; `onTimeout` hears the attempts that passed their deadline (already finished). */
export function createAttempts(
  clock: Required<Scheduler>,
  timeoutMs: number,
  onTimeout: (attempts: readonly Attempt[]) => void,
): Attempts {
  const inFlight = new Set<Entry>();
  // Attempts in send order, from `head`; finished ones are skipped.
  let order: Attempt[] = [];
  let head = 0;
  let stopped = false;

  function finish(attempt: Attempt): boolean {
    if (attempt.done) return false;
    attempt.done = true;
    inFlight.delete(attempt.entry);
    attempt.entry.inFlight = undefined;
    if (inFlight.size === 0) {
      // Nothing left to time out: drop the timer rather than leave it to fire for nothing.
      timer.cancel();
      order = [];
      head = 0;
    }
    return true;
  }

  function expire() {
    const now = clock.monotonic();
    const due: Attempt[] = [];
    while (head < order.length) {
      const attempt = order[head]!;
      if (!attempt.done && attempt.deadline > now) break;
      head++;
      if (!attempt.done) due.push(attempt);
    }
    for (const attempt of due) {
      finish(attempt);
      attempt.abort(TIMEOUT);
    }
    if (due.length > 0) onTimeout(due);
    arm();
  }

  const timer = createWakeTimer(clock, expire);

  function arm() {
    while (head < order.length && order[head]!.done) head++;
    if (head >= order.length) {
      order = [];
      head = 0;
      return;
    }
    if (head > 1024 && head * 2 > order.length) {
      order = order.slice(head);
      head = 0;
    }
    if (!stopped) timer.set(order[head]!.deadline);
  }

  return {
    start(entry, seq) {
      const startedAt = clock.monotonic();
      const attempt: Attempt = {
        entry,
        abort: noop,
        seq,
        startedAt,
        deadline: startedAt + timeoutMs,
        done: false,
      };
      entry.attempts++;
      entry.inFlight = attempt;
      inFlight.add(entry);
      order.push(attempt);
      if (!timer.isSet()) arm();
      return attempt;
    },
    finish,
    count: () => inFlight.size,
    entries: () => inFlight.values(),
    stop() {
      stopped = true;
      timer.cancel();
    },
  };
}
