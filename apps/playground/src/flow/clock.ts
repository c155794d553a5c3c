/** A clock a flow moves by hand, shared by its emulators, pages and clients. */
export interface FlowClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Whole Unix seconds, as Kissmetrics' `_t`. */
  seconds(): number;
  advance(ms: number): void;
}

/** A clock starting at `start` (ms since the epoch) that moves only when told to. */
export function createFlowClock(start: number): FlowClock {
  let time = start;
  return {
    now: () => time,
    seconds: () => Math.floor(time / 1000),
    advance(ms) {
      time += ms;
    },
  };
}

/** ISO 8601 UTC of whole Unix seconds, without milliseconds: `2024-05-01T12:00:00Z`. */
export function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The longest wait a {@link virtualWaits} scheduler passes at once: polling and backoff. */
const INSTANT_WAIT_MS = 5000;

/**
 * Clock and timers for a client that waits on the flow's clock instead of real time: a wait of up
 * to 5 s (polling, backoff) moves the clock and ends at once; a longer one (a per-request timeout)
 * ends only when aborted, since an in-process emulator always answers.
 */
export function virtualWaits(clock: FlowClock) {
  return {
    now: clock.now,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.resolve();
      if (ms > INSTANT_WAIT_MS) {
        return new Promise<void>((resolve) => {
          signal?.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      clock.advance(ms);
      return Promise.resolve();
    },
  };
}
