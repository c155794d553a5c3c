import type { Scheduler } from './types.js';

/** The wall clock, `performance.now()`, `setTimeout` (unref'd unless kept alive) and `Math.random`. */
export const systemScheduler: Required<Scheduler> = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep(ms, signal, keepAlive = false) {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      // Node's timers have unref(); browsers' numeric handles don't need it.
      if (!keepAlive) (timer as { unref?: () => void }).unref?.();
      signal?.addEventListener('abort', done, { once: true });
    });
  },
  random: () => Math.random(),
};

/**
 * Completes a partial scheduler with the system's parts. The monotonic clock must be the one `sleep`
 * counts on: a scheduler with its own `sleep` and no `monotonic` of its own is measured on its own
 * `now` (as before the engine had two clocks), whether or not it was spread over
 * {@link systemScheduler} first.
 */
export function resolveScheduler(partial: Partial<Scheduler> = {}): Required<Scheduler> {
  const now = partial.now ?? systemScheduler.now;
  const sleep = partial.sleep ?? systemScheduler.sleep;
  const own = partial.monotonic !== undefined && partial.monotonic !== systemScheduler.monotonic;
  const monotonic = own
    ? partial.monotonic!
    : sleep === systemScheduler.sleep
      ? systemScheduler.monotonic
      : now;
  return { now, monotonic, sleep, random: partial.random ?? systemScheduler.random };
}
