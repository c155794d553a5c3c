import type { Scheduler } from '@kmkit/core';

/**
 * A scheduler with its own clock, whose waits up to `waitUpTo` ms end at once, moving that clock
 * (and `onWait`, e.g. an emulator's clock) forward and being recorded; longer waits (per-request
 * timeouts) end only when aborted. Retries and polling run without real waiting or fake timers.
 */
export function instantScheduler(
  options: {
    readonly waitUpTo?: number;
    readonly onWait?: (ms: number) => void;
    readonly start?: number;
  } = {},
): Scheduler & { readonly waits: number[] } {
  const waitUpTo = options.waitUpTo ?? 5000;
  const waits: number[] = [];
  let time = options.start ?? Date.UTC(2024, 4, 1, 12, 0, 0);
  return {
    waits,
    now: () => time,
    random: () => 0.5,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.resolve();
      if (ms > waitUpTo) {
        return new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve()));
      }
      waits.push(ms);
      time += ms;
      options.onWait?.(ms);
      return Promise.resolve();
    },
  };
}

/** A clock the emulators read, moved by hand. */
export function manualClock(start = Date.UTC(2024, 4, 1, 12, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
