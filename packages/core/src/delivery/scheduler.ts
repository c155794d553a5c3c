import type { Scheduler } from './types.js';

/** The real clock, `setTimeout` (unref'd unless kept alive) and `Math.random`. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
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
