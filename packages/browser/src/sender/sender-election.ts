import type { Scheduler } from '@kmkit/core';

/** Takes part in electing the one tab that sends. */
export interface SenderElection {
  /** Joins (again, e.g. when the page comes back from the back/forward cache). */
  start(): void;
  /** Leaves, handing the sending over to another tab at once. */
  stop(): void;
  /** Resolves once this tab first knows whether it sends. */
  readonly decided: Promise<void>;
}

/** How often the lease holder renews the lease. */
export const LEASE_HEARTBEAT_MS = 1000;
/** How long a lease lasts without renewal: then another tab takes it over. */
export const LEASE_TTL_MS = 3000;

/**
 * Elects one sending tab per lock `name` (one per API key); `onChange` hears when this tab becomes
 * or stops being it. With Web Locks, the tab holding the lock sends until it leaves (`stop()`, or
 * the page goes away). Where Web Locks are missing or refused, a lease in `storage` (key
 * `<name>:lease`): the holder renews it every second; another tab takes it over once it is 3 s
 * old or removed. `tabId` names this tab in the lease.
 */
export function electSender(
  name: string,
  storage: Storage,
  clock: Scheduler,
  tabId: string,
  onChange: (sending: boolean) => void,
): SenderElection {
  const leaseKey = `${name}:lease`;
  const mine = `${tabId} `;
  let sending = false;
  let generation = 0;
  let release: (() => void) | undefined;
  let wake: AbortController | undefined;
  let decide!: () => void;
  const decided = new Promise<void>((resolve) => {
    decide = resolve;
  });

  const set = (value: boolean) => {
    decide();
    if (value !== sending) {
      sending = value;
      onChange(value);
    }
  };

  const holdLease = async (current: number) => {
    while (current === generation) {
      let held = true;
      try {
        const [holder, until] = (storage.getItem(leaseKey) ?? '').split(' ');
        const now = clock.now();
        if (!holder || holder === tabId || Number(until) <= now) {
          storage.setItem(leaseKey, mine + (now + LEASE_TTL_MS));
        }
        held = storage.getItem(leaseKey)!.startsWith(mine);
      } catch {
        // No storage to share a queue through either: this tab sends its own.
      }
      set(held);
      wake = new AbortController();
      await clock.sleep(LEASE_HEARTBEAT_MS, wake.signal);
    }
  };

  const start = () => {
    const current = ++generation;
    const { locks } = navigator;
    // Web Locks refused (an opaque origin) or missing: the lease.
    const fallBack = () => {
      if (current === generation) void holdLease(current);
    };
    if (!locks) return fallBack();
    const hold = () =>
      new Promise<void>((resolve) => {
        // Granted after this tab left: hand it on at once.
        if (current !== generation) return resolve();
        release = resolve;
        set(true);
      });
    // Asks without waiting first, so that a tab learns at once that another one sends.
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock) return hold();
        set(false);
        locks.request(name, hold).catch(fallBack);
      })
      .catch(fallBack);
  };

  // The holder left: take over now rather than at the next heartbeat.
  addEventListener('storage', (event) => {
    if (event.key === leaseKey && !event.newValue) wake?.abort();
  });

  return {
    start,
    decided,
    stop() {
      generation++;
      wake?.abort();
      release?.();
      try {
        if (storage.getItem(leaseKey)?.startsWith(mine)) storage.removeItem(leaseKey);
      } catch {
        // The lease expires by itself.
      }
      set(false);
    },
  };
}
