import type { Scheduler } from '@kmkit/core';

/** Options of {@link electSender}. */
export interface SenderElectionOptions {
  /** The lock's name, one per API key. */
  readonly name: string;
  /** Web Locks; without them (or when they fail) a lease in `storage` elects the sender. */
  readonly locks: LockManager | null | undefined;
  readonly storage: Storage;
  readonly clock: Scheduler;
  /** Random part of this tab's lease holder id. */
  readonly tabId: string;
  /** This tab became, or stopped being, the sending tab. */
  readonly onChange: (sending: boolean) => void;
}

/** Takes part in electing the one tab that sends. */
export interface SenderElection {
  /** Joins (again, e.g. when the page comes back from the back/forward cache). */
  start(): void;
  /** Leaves, handing the sending over to another tab at once. */
  stop(): void;
  /** Resolves once this tab first knows whether it sends (at once with the lease). */
  readonly decided: Promise<void>;
}

/** How often the lease holder renews the lease. */
export const LEASE_HEARTBEAT_MS = 1000;
/** How long a lease lasts without renewal: then another tab takes it over. */
export const LEASE_TTL_MS = 3000;

/**
 * Elects one sending tab per API key. With Web Locks, the tab holding the lock `name` sends until
 * it leaves (`stop()`, or the page goes away). Without them, a lease in `storage`: the holder renews
 * it every second; another tab takes it over once it is 3 s old or removed.
 */
export function electSender(options: SenderElectionOptions): SenderElection {
  const { name, storage, clock, onChange } = options;
  let sending = false;
  let generation = 0;
  let release: (() => void) | undefined;
  let lease = !options.locks;
  let wake: AbortController | undefined;
  const leaseKey = `${name}:lease`;

  let decide!: () => void;
  const decided = new Promise<void>((resolve) => {
    decide = resolve;
  });

  const set = (value: boolean) => {
    decide();
    if (value === sending) return;
    sending = value;
    onChange(value);
  };

  function renewLease() {
    let mine: boolean;
    try {
      const now = clock.now();
      const [holder, until] = (storage.getItem(leaseKey) ?? '').split(' ');
      if (!holder || holder === options.tabId || Number(until) <= now) {
        storage.setItem(leaseKey, `${options.tabId} ${now + LEASE_TTL_MS}`);
      }
      mine = storage.getItem(leaseKey)?.split(' ')[0] === options.tabId;
    } catch {
      // No storage to share a queue through either: this tab sends its own.
      mine = true;
    }
    set(mine);
  }

  async function holdLease(current: number) {
    while (current === generation) {
      renewLease();
      wake = new AbortController();
      await clock.sleep(LEASE_HEARTBEAT_MS, wake.signal);
    }
  }

  function start() {
    const current = ++generation;
    if (lease) {
      void holdLease(current);
      return;
    }
    const locks = options.locks!;
    const fallBack = () => {
      // Web Locks refused (e.g. an opaque origin): fall back to the lease.
      if (current !== generation) return;
      lease = true;
      start();
    };
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
  }

  addEventListener('storage', (event) => {
    // The holder left: take over now rather than at the next heartbeat.
    if (lease && event.key === leaseKey && event.newValue === null && wake) wake.abort();
  });

  return {
    start,
    decided,
    stop() {
      generation++;
      wake?.abort();
      release?.();
      release = undefined;
      if (lease && sending) {
        try {
          if (storage.getItem(leaseKey)?.split(' ')[0] === options.tabId)
            storage.removeItem(leaseKey);
        } catch {
          // The lease expires by itself.
        }
      }
      set(false);
    },
  };
}
