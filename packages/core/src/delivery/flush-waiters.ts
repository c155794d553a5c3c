import type { FlushResult } from './queue-types.js';

/** A flush() or close() waiting for what was queued before it, counting the outcomes. */
export interface Waiter {
  /** It waits for this run's entries admitted up to this sequence number (and an earlier run's). */
  readonly threshold: number;
  delivered: number;
  failed: number;
  /** Drops since the previous flush() or close(), counted when it started. */
  readonly dropped: number;
}

/** The flush() and close() calls waiting for settlements. */
export interface FlushWaiters {
  /** Adds a waiter; `done` resolves with its counts. */
  add(threshold: number, dropped: number): { waiter: Waiter; done: Promise<FlushResult> };
  /** Counts a settlement for every waiter it concerns. */
  count(entry: { readonly seq: number; readonly initial: boolean }, delivered: boolean): void;
  /**
   * Resolves the waiters with nothing left to wait for: this run's oldest unsettled entry is
   * `oldestSeq` (Infinity when none) and `initialSettled` says an earlier run's are all settled.
   */
  resolveSettled(oldestSeq: number, initialSettled: boolean): void;
  /** Resolves every waiter but `except` with what it got (nothing more will settle). */
  resolveAll(except?: Waiter): void;
  /** Waiters still waiting. */
  size(): number;
  /** True while `waiter` is still waiting. */
  has(waiter: Waiter): boolean;
}

/** Creates an empty set of waiters. */
export function createFlushWaiters(): FlushWaiters {
  const waiting = new Map<Waiter, (result: FlushResult) => void>();
  const resolve = (waiter: Waiter) => {
    const done = waiting.get(waiter)!;
    waiting.delete(waiter);
    done({ delivered: waiter.delivered, failed: waiter.failed, dropped: waiter.dropped });
  };
  return {
    add(threshold, dropped) {
      const waiter: Waiter = { threshold, delivered: 0, failed: 0, dropped };
      const done = new Promise<FlushResult>((resolve) => waiting.set(waiter, resolve));
      return { waiter, done };
    },
    count(entry, delivered) {
      for (const waiter of waiting.keys()) {
        // What an earlier run left counts as queued before any flush() of this one.
        if (!entry.initial && entry.seq > waiter.threshold) continue;
        if (delivered) waiter.delivered++;
        else waiter.failed++;
      }
    },
    resolveSettled(oldestSeq, initialSettled) {
      if (!initialSettled) return;
      // Deleting the current key while iterating a Map is safe.
      for (const waiter of waiting.keys()) if (oldestSeq > waiter.threshold) resolve(waiter);
    },
    resolveAll(except) {
      for (const waiter of waiting.keys()) if (waiter !== except) resolve(waiter);
    },
    size: () => waiting.size,
    has: (waiter) => waiting.has(waiter),
  };
}
