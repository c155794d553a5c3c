import type { Entry } from './queue-state.js';

/**
 * The order in which entries go out: a FIFO of entries ready to send, and entries held until a
 * monotonic time (a retry's backoff, an origin's pause), sorted by that time.
 */
export interface SendLine {
  /** Queues an entry to send once the window allows, after those already waiting. */
  push(entry: Entry): void;
  /** Queues entries to send before every other (what an earlier run left). */
  pushFront(entries: readonly Entry[]): void;
  /** Holds an entry until monotonic time `at`. */
  hold(entry: Entry, at: number): void;
  /** Moves the held entries whose time has come to the ready FIFO. */
  release(now: number): void;
  /** Takes the next ready entry (settled ones are skipped). */
  next(): Entry | undefined;
  /** True while an unsettled entry is ready. */
  hasReady(): boolean;
  /** When the earliest held entry is due, if any is held. */
  nextDue(): number | undefined;
}

/** Creates an empty send line. */
export function createSendLine(): SendLine {
  // Heads avoid shifting the arrays; they are compacted once the dead part dominates.
  let ready: (Entry | undefined)[] = [];
  let readyHead = 0;
  let held: Entry[] = [];
  let heldHead = 0;

  function skipSettled() {
    while (readyHead < ready.length && ready[readyHead]!.settled) ready[readyHead++] = undefined;
    if (readyHead === ready.length) {
      ready = [];
      readyHead = 0;
    } else if (readyHead > 1024 && readyHead * 2 > ready.length) {
      ready = ready.slice(readyHead);
      readyHead = 0;
    }
  }

  return {
    push(entry) {
      ready.push(entry);
    },
    pushFront(entries) {
      // A new array rather than a splice: spreading a large journal as arguments would overflow.
      ready = entries.concat(ready.slice(readyHead) as Entry[]);
      readyHead = 0;
    },
    hold(entry, at) {
      entry.notBefore = at;
      // Binary search for the first later entry: equal times keep their order.
      let low = heldHead;
      let high = held.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (held[middle]!.notBefore <= at) low = middle + 1;
        else high = middle;
      }
      if (low === held.length) held.push(entry);
      else held.splice(low, 0, entry);
    },
    release(now) {
      while (heldHead < held.length && held[heldHead]!.notBefore <= now) {
        const entry = held[heldHead++]!;
        if (!entry.settled) ready.push(entry);
      }
      if (heldHead === held.length) {
        held = [];
        heldHead = 0;
      } else if (heldHead > 1024 && heldHead * 2 > held.length) {
        held = held.slice(heldHead);
        heldHead = 0;
      }
    },
    next() {
      skipSettled();
      if (readyHead === ready.length) return undefined;
      const entry = ready[readyHead]!;
      ready[readyHead++] = undefined;
      return entry;
    },
    hasReady() {
      skipSettled();
      return readyHead < ready.length;
    },
    nextDue() {
      while (heldHead < held.length && held[heldHead]!.settled) heldHead++;
      return heldHead < held.length ? held[heldHead]!.notBefore : undefined;
    },
  };
}
