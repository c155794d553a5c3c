import type { Scheduler } from './types.js';

// A constant abort reason: `abort()` without one builds a DOMException with a stack each time.
const CANCELLED = Symbol('cancelled');

/** One timer on the monotonic clock that is moved rather than multiplied. */
export interface WakeTimer {
  /**
   * Calls `onWake` at monotonic time `at`. A timer already set for then or sooner (and as
   * `keepAlive`) stays: the wake-up finds what is due and sets the next one.
   */
  set(at: number, keepAlive?: boolean): void;
  /** Stops the timer. */
  cancel(): void;
  /** True when a timer is set. */
  isSet(): boolean;
  /** Whether the timer that is set keeps the process alive. */
  keepsAlive(): boolean;
}

/** Creates a timer that calls `onWake` on `clock`'s monotonic time. */
export function createWakeTimer(clock: Required<Scheduler>, onWake: () => void): WakeTimer {
  let current: { at: number; keepAlive: boolean; cancel: AbortController } | undefined;
  const cancel = () => {
    current?.cancel.abort(CANCELLED);
    current = undefined;
  };
  return {
    set(at, keepAlive = false) {
      if (current && current.at <= at && current.keepAlive === keepAlive) return;
      cancel();
      const timer = { at, keepAlive, cancel: new AbortController() };
      current = timer;
      clock.sleep(Math.max(0, at - clock.monotonic()), timer.cancel.signal, keepAlive).then(() => {
        if (timer.cancel.signal.aborted) return;
        current = undefined;
        onWake();
      });
    },
    cancel,
    isSet: () => current !== undefined,
    keepsAlive: () => current?.keepAlive === true,
  };
}
