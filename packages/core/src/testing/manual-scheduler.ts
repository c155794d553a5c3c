import type { Scheduler } from '../delivery/types.js';

/**
 * A {@link Scheduler} whose time only moves when a test says so. Its two clocks move together with
 * `advance(ms)`; `stepWallClock(ms)` moves the wall clock alone, as NTP or an operator would.
 */
export interface ManualScheduler extends Required<Scheduler> {
  /**
   * Moves both clocks forward by `ms`, firing every timer that falls due on the way in time order
   * (those of one instant together, in the order they were set) and letting promise callbacks run
   * after each instant, so code awaiting a timer observes the right `now()` and `monotonic()`.
   */
  advance(ms: number): Promise<void>;
  /**
   * Steps the wall clock (`now()`) by `ms`, backwards when negative, leaving the monotonic clock
   * and every timer where they are.
   */
  stepWallClock(ms: number): void;
  /** Fires timers in order until none is left (at most `limit` of them). */
  runAll(limit?: number): Promise<void>;
  /** Lets pending promise callbacks and I/O run without moving the clock. */
  settle(): Promise<void>;
  /** Timers not yet fired, as delays from now on the monotonic clock (sorted). */
  timers(): number[];
  /** Timers that keep the process alive (asked with `keepAlive`), as delays from now. */
  keptAlive(): number[];
}

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly keepAlive: boolean;
  readonly fire: () => void;
}

/** Options of {@link createManualScheduler}. */
export interface ManualSchedulerOptions {
  /** The initial wall clock (ms since the epoch). Default 1,700,000,000,000. */
  readonly now?: number;
  /** The initial monotonic clock. Default 0. */
  readonly monotonic?: number;
  /** The random source: a function, or a list of values used in turn (cycling). Default 0.5. */
  readonly random?: (() => number) | readonly number[];
}

// One macrotask turn runs every queued promise callback (and lets loopback I/O progress).
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Creates a manual clock for deterministic tests of retries, backoff and timeouts without fake
 * timers: pass it as `scheduler` and drive it with `advance(ms)`.
 */
export function createManualScheduler(options: ManualSchedulerOptions = {}): ManualScheduler {
  // Timers run on the monotonic clock; the wall clock is it plus an offset a test may step.
  let time = options.monotonic ?? 0;
  let wallOffset = (options.now ?? 1_700_000_000_000) - time;
  let order = 0;
  let randomIndex = 0;
  const pending: Timer[] = [];
  const source = options.random ?? (() => 0.5);
  const random = Array.isArray(source)
    ? () => (source as readonly number[])[randomIndex++ % (source as readonly number[]).length]!
    : (source as () => number);

  // The timers due first (at or before `until`), all those of that instant, in the order set.
  function takeDue(until: number): Timer[] {
    let first = Number.POSITIVE_INFINITY;
    for (const timer of pending) if (timer.at <= until && timer.at < first) first = timer.at;
    if (first === Number.POSITIVE_INFINITY) return [];
    const due: Timer[] = [];
    for (let i = 0; i < pending.length; ) {
      if (pending[i]!.at === first) due.push(pending.splice(i, 1)[0]!);
      else i++;
    }
    return due.sort((a, b) => a.order - b.order);
  }

  async function settle() {
    await turn();
    await turn();
  }

  return {
    now: () => time + wallOffset,
    monotonic: () => time,
    stepWallClock(ms) {
      wallOffset += ms;
    },
    random,
    sleep(ms, signal, keepAlive = false) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer: Timer = {
          at: time + Math.max(0, ms),
          order: order++,
          keepAlive,
          fire: () => {
            signal?.removeEventListener('abort', cancel);
            resolve();
          },
        };
        const cancel = () => {
          const index = pending.indexOf(timer);
          if (index !== -1) pending.splice(index, 1);
          resolve();
        };
        pending.push(timer);
        signal?.addEventListener('abort', cancel, { once: true });
      });
    },
    async advance(ms) {
      const target = time + ms;
      await settle();
      for (let due = takeDue(target); due.length > 0; due = takeDue(target)) {
        time = Math.max(time, due[0]!.at);
        for (const timer of due) timer.fire();
        await settle();
      }
      time = target;
      await settle();
    },
    async runAll(limit = 10_000) {
      await settle();
      let fired = 0;
      for (let due = takeDue(Number.POSITIVE_INFINITY); due.length > 0 && fired < limit; ) {
        time = Math.max(time, due[0]!.at);
        for (const timer of due) timer.fire();
        fired += due.length;
        await settle();
        due = takeDue(Number.POSITIVE_INFINITY);
      }
    },
    settle,
    timers: () => pending.map((timer) => timer.at - time).sort((a, b) => a - b),
    keptAlive: () =>
      pending
        .filter((timer) => timer.keepAlive)
        .map((timer) => timer.at - time)
        .sort((a, b) => a - b),
  };
}
