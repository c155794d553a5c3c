import type { Store, StoredRequest } from '@kmkit/core';
import { readSavedRequest, type SavedRequestRules } from './saved-request.js';

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

/** What the shared store tells its client. */
export interface SharedStoreHooks {
  /** The first failure of a streak of writes storage refused. */
  onFailure(error: unknown): void;
  /** Saved entries that were not requests this client may send were removed: how many. */
  onInvalid(count: number): void;
  /** Another tab added a request (the engine's `restore()` picks it up). */
  onAdded(): void;
  /** Another tab removed a request (settled there, or cleared). */
  onRemoved(id: string): void;
  /** Another tab cleared the whole storage. */
  onCleared(): void;
}

/**
 * Creates the shared store of one API key. Each request is its own key (`kmkit:q:<apiKey>:<id>`),
 * written when it is queued and removed when it is settled: one `setItem` or `removeItem` per
 * change, so two tabs writing at once never overwrite each other's requests, as a read-modify-write
 * of one shared key can across processes. Writes never throw: a request storage refuses stays in
 * the engine's memory, where it is still sent. Every entry read is checked against `rules` (see
 * {@link readSavedRequest}): one that fails is removed and counted, never sent, and never stops
 * the others from loading.
 */
export function createSharedStore(
  storage: Storage,
  apiKey: string,
  rules: SavedRequestRules,
  { onFailure, onInvalid, onAdded, onRemoved, onCleared }: SharedStoreHooks,
): SharedStore {
  const prefix = `kmkit:q:${apiKey}:`;
  const unsaved = new Set<string>();
  const removing = new Set<string>();
  // What other tabs added since the last load; undefined: read everything at the next load.
  let incoming: StoredRequest[] | undefined;
  let failing = false;
  let announcing = false;

  // The request saved under `key`; at a load, one that is not is removed (best effort) and counted.
  let invalid = 0;
  const read = (key: string, value: string | null, loading = true): StoredRequest | undefined => {
    const entry = readSavedRequest(key.slice(prefix.length), value, rules);
    if (!entry && loading) {
      invalid++;
      try {
        storage.removeItem(key);
      } catch {
        // Still never sent: it is checked again at every load.
      }
    }
    return entry;
  };
  const reportInvalid = () => {
    if (invalid) onInvalid(invalid);
    invalid = 0;
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
    if (!newValue) return onRemoved(key.slice(prefix.length));
    // Written by another tab, perhaps of another version of the site: ignored here, not removed.
    const entry = read(key, newValue, false);
    if (entry && incoming) {
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
        try {
          // Keys first: removing an invalid entry while counting would skip the next one.
          const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)!);
          for (const key of keys) {
            const entry = key.startsWith(prefix) && read(key, storage.getItem(key));
            if (entry) loaded.push(entry);
          }
        } catch (error) {
          // Storage failed while reading (blocked meanwhile): what was read loads.
          onFailure(error);
        }
        reportInvalid();
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
