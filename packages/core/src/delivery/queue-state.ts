import type { OverflowPolicy } from './queue-types.js';
import type { StoredRequest } from './types.js';

/** A request the queue holds, with its delivery state. */
export interface Entry {
  readonly stored: StoredRequest;
  /** Admission order: a flush() waits for every entry admitted before it. */
  readonly seq: number;
  /** Left by an earlier run: every flush() that starts before the store is read waits for it. */
  readonly initial: boolean;
  readonly bytes: number;
  readonly origin: string;
  /**
   * Its age when admitted, from the wall clock (`enqueuedAt`, which survives a restart), and the
   * monotonic time of admission: from then on it ages on the monotonic clock only, so a wall clock
   * stepped later neither freezes nor expires it.
   */
  readonly ageAtAdmission: number;
  readonly admittedAt: number;
  attempts: number;
  /** Not sent before this monotonic time (a retry's backoff, an origin's pause). */
  notBefore: number;
  settled: boolean;
  /** The attempt in flight, to abort it. */
  inFlight?: { abort(reason: unknown): void };
}

/** How old an entry is at monotonic time `now`. */
export function ageOf(entry: Entry, now: number): number {
  return entry.ageAtAdmission + (now - entry.admittedAt);
}

/** `https://host:port` of a URL, without parsing it. */
export function originOf(url: string): string {
  const end = url.indexOf('/', url.indexOf('//') + 2);
  return end === -1 ? url : url.slice(0, end);
}

/** The bytes a request counts for against `maxQueueBytes`. */
export function requestBytes(request: StoredRequest['request']): number {
  return request.url.length + (request.body?.length ?? 0);
}

/** The caps of a queue. */
export interface QueueCaps {
  readonly maxLength: number;
  readonly maxBytes: number;
  readonly overflow: OverflowPolicy;
}

/** The unsettled requests of a queue, in order, with their count and bytes against the caps. */
export interface QueueState {
  /** Takes a request in; `wallNow` and `monotonicNow` date its age. */
  admit(stored: StoredRequest, initial: boolean, wallNow: number, monotonicNow: number): Entry;
  /** Marks an entry settled and forgets it; false when it already was. */
  settle(entry: Entry): boolean;
  get(id: string): Entry | undefined;
  /** True for an unsettled id, or one settled lately (a stale store snapshot must not revive it). */
  knows(id: string): boolean;
  /** Remembers an id as settled without an entry (refused: a store may still hold some of it). */
  forget(id: string): void;
  /** The oldest unsettled entry of this run. */
  oldest(): Entry | undefined;
  /** Every unsettled entry: an earlier run's first, then this run's in order. */
  unsettled(): Entry[];
  /** Unsettled entries left by an earlier run. */
  initialCount(): number;
  /** The sequence number of the last entry admitted (0 before any). */
  lastSeq(): number;
  count(): number;
  bytes(): number;
  /**
   * What must go for a request of `bytes` to fit: nothing (`[]`), the oldest waiting entries to
   * evict (`overflow: 'drop-oldest'`), or `undefined` when it cannot fit.
   */
  roomFor(bytes: number): Entry[] | undefined;
}

// Ids settled lately, so that a store snapshot taken before a settlement cannot bring one back.
const SETTLED_MEMORY = 10_000;

/** Creates the state of one queue under its caps. */
export function createQueueState(caps: QueueCaps): QueueState {
  // Unsettled entries by id: this run's, and apart from them the ones an earlier run left, which
  // count as older than anything enqueued here.
  const pending = new Map<string, Entry>();
  const pendingInitial = new Map<string, Entry>();
  // This run's entries in admission order; settled ones are skipped from `orderHead` (a Map's
  // first entry would make V8 walk every deleted slot before it).
  let order: Entry[] = [];
  let orderHead = 0;
  // A ring evicts the oldest settled id: deleting from the head of a Set would make V8 walk its
  // deleted slots.
  const settledIds = new Set<string>();
  const settledRing: (string | undefined)[] = new Array(SETTLED_MEMORY);
  let settledRingIndex = 0;
  let seq = 0;
  let queuedBytes = 0;

  function rememberSettled(id: string) {
    const forgotten = settledRing[settledRingIndex];
    if (forgotten !== undefined) settledIds.delete(forgotten);
    settledRing[settledRingIndex] = id;
    settledRingIndex = (settledRingIndex + 1) % SETTLED_MEMORY;
    settledIds.add(id);
  }

  function oldest(): Entry | undefined {
    while (orderHead < order.length && order[orderHead]!.settled) orderHead++;
    if (orderHead === order.length) {
      order = [];
      orderHead = 0;
      return undefined;
    }
    if (orderHead > 1024 && orderHead * 2 > order.length) {
      order = order.slice(orderHead);
      orderHead = 0;
    }
    return order[orderHead];
  }

  const count = () => pending.size + pendingInitial.size;

  return {
    admit(stored, initial, wallNow, monotonicNow) {
      const entry: Entry = {
        stored,
        seq: ++seq,
        initial,
        bytes: requestBytes(stored.request),
        origin: originOf(stored.request.url),
        // A wall clock stepped back since enqueuedAt makes it no younger than new; a request with
        // no readable time is as old as can be (it would otherwise never expire).
        ageAtAdmission: Number.isFinite(stored.enqueuedAt)
          ? Math.max(0, wallNow - stored.enqueuedAt)
          : Number.POSITIVE_INFINITY,
        // Whole milliseconds: a small integer is stored inline, a fraction as a 16-byte box.
        admittedAt: Math.floor(monotonicNow),
        attempts: 0,
        notBefore: 0,
        settled: false,
      };
      if (initial) {
        pendingInitial.set(stored.id, entry);
      } else {
        pending.set(stored.id, entry);
        order.push(entry);
      }
      queuedBytes += entry.bytes;
      return entry;
    },
    settle(entry) {
      if (entry.settled) return false;
      entry.settled = true;
      (entry.initial ? pendingInitial : pending).delete(entry.stored.id);
      rememberSettled(entry.stored.id);
      queuedBytes -= entry.bytes;
      return true;
    },
    get: (id) => pending.get(id) ?? pendingInitial.get(id),
    knows: (id) => pending.has(id) || pendingInitial.has(id) || settledIds.has(id),
    forget: rememberSettled,
    oldest,
    unsettled() {
      oldest();
      const current = order.slice(orderHead).filter((entry) => !entry.settled);
      return [...pendingInitial.values(), ...current];
    },
    initialCount: () => pendingInitial.size,
    lastSeq: () => seq,
    count,
    bytes: () => queuedBytes,
    roomFor(bytes) {
      if (bytes > caps.maxBytes) return undefined;
      let length = count();
      let total = queuedBytes;
      const fits = () => length < caps.maxLength && total + bytes <= caps.maxBytes;
      if (fits()) return [];
      if (caps.overflow === 'refuse') return undefined;
      // The oldest waiting entries go first: an earlier run's, then this run's. Never one in flight.
      const evicted: Entry[] = [];
      const consider = (entry: Entry) => {
        if (entry.inFlight || entry.settled) return;
        evicted.push(entry);
        length--;
        total -= entry.bytes;
      };
      for (const entry of pendingInitial.values()) {
        if (fits()) return evicted;
        consider(entry);
      }
      for (let i = orderHead; i < order.length && !fits(); i++) consider(order[i]!);
      return fits() ? evicted : undefined;
    },
  };
}
