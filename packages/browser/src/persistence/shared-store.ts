import type { Store, StoredRequest } from '@kmkit/core';

/**
 * The delivery engine's store over `localStorage`, shared by every tab (and every client in one
 * document) that sends for one API key. Each tab's engine mirrors the whole shared queue: it loads
 * what is persisted, picks up what other tabs add, and hears what they remove.
 */
export interface SharedStore extends Store {
  /** Whether a request is persisted, or known to this tab only because storage refused it. */
  has(id: string): boolean;
  /** True for a request storage refused: no other tab knows it. */
  unsaved(id: string): boolean;
  /** Keeps a request the engine is about to remove (it gave up in this page; the next tries again). */
  keep(id: string): void;
  /** Makes the next `load()` read the whole persisted queue again. */
  rescan(): void;
}

/**
 * Creates the shared store of one API key. Each request is its own key (`kmkit:q:<apiKey>:<id>`),
 * written when it is queued and removed when it is settled: one `setItem` or `removeItem` per
 * change, so two tabs writing at once never overwrite each other's requests, as a read-modify-write
 * of one shared key can across processes. Writes never throw: a request storage refuses stays in
 * the engine's memory, where it is still sent; `onFailure` hears the first failure of a streak.
 * `onAdded` hears that another tab added a request (the engine's `restore()` picks it up),
 * `onRemoved` that one removed a request (settled there, or cleared), `onCleared` that another tab
 * cleared the whole storage.
 */
export function createSharedStore(
  storage: Storage,
  apiKey: string,
  onFailure: (error: unknown) => void,
  onAdded: () => void,
  onRemoved: (id: string) => void,
  onCleared: () => void,
): SharedStore {
  const prefix = `kmkit:q:${apiKey}:`;
  const unsaved = new Set<string>();
  const removing = new Set<string>();
  // What other tabs added since the last load; undefined: read everything at the next load.
  let incoming: StoredRequest[] | undefined;
  let failing = false;
  let announcing = false;

  const parse = (id: string, value: string | null): StoredRequest | undefined => {
    try {
      const { t, r } = JSON.parse(value!);
      if (r.url) return { id, request: r, enqueuedAt: t };
    } catch {
      // Not ours, or damaged: ignored.
    }
  };

  // Browsers tell other documents about a change, never the one that made it: another client of
  // this key in this document (a second bundle, a hot reload) hears it from here. Not this one.
  const announce = (key: string, newValue: string | null) => {
    announcing = true;
    dispatchEvent(new StorageEvent('storage', { key, newValue, storageArea: storage }));
    announcing = false;
  };

  addEventListener('storage', ({ key, newValue, storageArea }) => {
    if (announcing || storageArea !== storage) return;
    if (!key) return onCleared();
    if (!key.startsWith(prefix)) return;
    const id = key.slice(prefix.length);
    const entry = parse(id, newValue);
    if (!newValue) onRemoved(id);
    else if (entry && incoming) {
      incoming.push(entry);
      onAdded();
    }
  });

  return {
    durable: true,
    load() {
      let loaded = incoming;
      if (!loaded) {
        loaded = [];
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i)!;
          const entry =
            key.startsWith(prefix) && parse(key.slice(prefix.length), storage.getItem(key));
          if (entry) loaded.push(entry);
        }
        loaded.sort((a, b) => a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : 1));
      }
      incoming = [];
      return loaded;
    },
    add({ id, request, enqueuedAt }) {
      const key = prefix + id;
      const value = JSON.stringify({ t: enqueuedAt, r: request });
      try {
        storage.setItem(key, value);
        failing = false;
        announce(key, value);
      } catch (error) {
        if (!failing) onFailure(error);
        failing = true;
        unsaved.add(id);
      }
    },
    remove(id) {
      unsaved.delete(id);
      // Removed once the engine's events of this settlement ran, so that keep() can still save it.
      removing.add(id);
      queueMicrotask(() => {
        if (!removing.delete(id)) return;
        try {
          storage.removeItem(prefix + id);
          announce(prefix + id, null);
        } catch {
          // Left behind, it is sent again later; Kissmetrics drops the duplicate by _t.
        }
      });
    },
    has(id) {
      try {
        return unsaved.has(id) || storage.getItem(prefix + id) !== null;
      } catch {
        return true;
      }
    },
    unsaved: (id) => unsaved.has(id),
    keep: (id) => void removing.delete(id),
    rescan() {
      incoming = undefined;
    },
  };
}
