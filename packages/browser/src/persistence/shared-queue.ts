import type { Store, StoredRequest, TrackingRequest } from '@kmkit/core';

/** Options of {@link createSharedQueue}. */
export interface SharedQueueOptions {
  readonly storage: Storage;
  /** Queues of different API keys never mix. */
  readonly apiKey: string;
  /** At most this many requests in the shared queue. */
  readonly maxLength: number;
  /** At most this many bytes of URLs and bodies in the shared queue. */
  readonly maxBytes: number;
  /** The first storage failure of a streak (quota, private mode); later ones are quiet. */
  readonly onFailure: (error: unknown) => void;
  /** Another tab added a request (the sending tab then picks it up with `restore()`). */
  readonly onAdded: () => void;
  /** Another tab removed a request: it was settled there, or cleared. */
  readonly onRemoved: (id: string) => void;
  /** Another tab cleared the whole storage. */
  readonly onCleared: () => void;
}

/** What a tab that does not send does with a request: hand it to the sending tab. */
export type HandOffResult = 'stored' | 'full' | 'failed';

/**
 * The persisted queue every tab of a site shares, in `localStorage`. The delivery engine of the
 * sending tab uses `store`; the other tabs `handOff` their requests to it.
 */
export interface SharedQueue {
  /** For the delivery engine: reads nothing until `activate(true)`, then what it has not seen. */
  readonly store: Store;
  /** This tab becomes (or stops being) the sending tab; becoming it reads the whole queue again. */
  activate(sending: boolean): void;
  /** Adds a request for the sending tab, within the bounds. */
  handOff(entry: StoredRequest): HandOffResult;
  /** Keeps a request the engine is about to remove (it gave up in this page; the next tries again). */
  keep(id: string): void;
  /** Removes every request but `except`, and returns them. */
  clear(except: ReadonlySet<string>): StoredRequest[];
}

interface Persisted {
  readonly t: number;
  readonly r: TrackingRequest;
}

function sizeOf(request: TrackingRequest): number {
  return request.url.length + (request.body?.length ?? 0);
}

/**
 * Creates the shared queue of one API key. Each request is its own key (`kmkit:q:<apiKey>:<id>`),
 * written when it is queued and removed when it is settled: one `setItem` or `removeItem` per
 * change, so two tabs writing at once can never overwrite each other's requests, as a
 * read-modify-write of one shared key can across processes. Writes never throw: a failing storage
 * leaves the request in the engine's memory, where it is still sent.
 */
export function createSharedQueue(options: SharedQueueOptions): SharedQueue {
  const { storage } = options;
  const prefix = `kmkit:q:${options.apiKey}:`;
  let active = false;
  let rescan = false;
  let failing = false;
  let incoming: StoredRequest[] = [];
  const removals = new Set<string>();

  function parse(id: string, value: string | null): StoredRequest | undefined {
    try {
      const { t, r } = JSON.parse(value!) as Persisted;
      if (typeof t === 'number' && typeof r?.url === 'string')
        return { id, request: r, enqueuedAt: t };
    } catch {
      // Not ours, or damaged: ignored.
    }
    return undefined;
  }

  function scan(): StoredRequest[] {
    const entries: StoredRequest[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(prefix)) continue;
      const entry = parse(key.slice(prefix.length), storage.getItem(key));
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : 1));
  }

  // Browsers tell other documents about a change, never the one that made it: another client of
  // this key in this document (a second bundle, a hot reload) hears it from here. Not this one.
  let announcing = false;
  function announce(key: string, newValue: string | null) {
    announcing = true;
    try {
      dispatchEvent(new StorageEvent('storage', { key, newValue, storageArea: storage }));
    } finally {
      announcing = false;
    }
  }

  function write(entry: StoredRequest): boolean {
    const value = JSON.stringify({ t: entry.enqueuedAt, r: entry.request } satisfies Persisted);
    try {
      storage.setItem(prefix + entry.id, value);
    } catch (error) {
      if (!failing) options.onFailure(error);
      failing = true;
      return false;
    }
    failing = false;
    announce(prefix + entry.id, value);
    return true;
  }

  function removeNow(id: string) {
    try {
      storage.removeItem(prefix + id);
    } catch {
      // Left behind, it is sent again later; Kissmetrics drops the duplicate by _t.
      return;
    }
    announce(prefix + id, null);
  }

  addEventListener('storage', (event) => {
    if (announcing || event.storageArea !== storage) return;
    if (event.key === null) return options.onCleared();
    if (!event.key.startsWith(prefix)) return;
    const id = event.key.slice(prefix.length);
    if (event.newValue === null) return options.onRemoved(id);
    const entry = parse(id, event.newValue);
    if (entry && active && !rescan) {
      incoming.push(entry);
      options.onAdded();
    }
  });

  const store: Store = {
    durable: true,
    load() {
      if (!active) return [];
      if (rescan) {
        rescan = false;
        incoming = [];
        return scan();
      }
      const added = incoming;
      incoming = [];
      return added;
    },
    add(entry) {
      write(entry);
    },
    remove(id) {
      // Removed after the engine's events of this settlement ran, so that keep() can still save it.
      removals.add(id);
      queueMicrotask(() => {
        if (removals.delete(id)) removeNow(id);
      });
    },
  };

  return {
    store,
    activate(sending) {
      active = sending;
      rescan = sending;
    },
    handOff(entry) {
      let count = 1;
      let bytes = sizeOf(entry.request);
      try {
        for (const queued of scan()) {
          count++;
          bytes += sizeOf(queued.request);
        }
      } catch (error) {
        if (!failing) options.onFailure(error);
        failing = true;
        return 'failed';
      }
      if (count > options.maxLength || bytes > options.maxBytes) return 'full';
      return write(entry) ? 'stored' : 'failed';
    },
    keep(id) {
      removals.delete(id);
    },
    clear(except) {
      const cleared = scan().filter((entry) => !except.has(entry.id));
      for (const entry of cleared) removeNow(entry.id);
      return cleared;
    },
  };
}
