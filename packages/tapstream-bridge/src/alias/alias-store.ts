import { KmValidationError } from '@kmkit/core';

/**
 * Where `aliasOnboardedUser` remembers the aliases it delivered, so each is sent once. `get` and
 * `set` may be synchronous (`localStorage`) or return promises (React Native's `AsyncStorage`):
 *
 * ```ts
 * const store: AliasStore = {
 *   get: (key) => AsyncStorage.getItem(key),
 *   set: (key, value) => AsyncStorage.setItem(key, value),
 * };
 * ```
 */
export interface AliasStore {
  /** The value saved under `key`, or `null`/`undefined` when there is none. */
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  /** Saves `value` under `key`. */
  set(key: string, value: string): void | Promise<void>;
}

/**
 * The part of the Web Storage API the `localStorage` store uses (`localStorage`, `sessionStorage`
 * fit). Spelt out rather than `Pick<Storage, ...>` so that projects without the DOM's types (Node,
 * React Native) can use the package.
 */
export interface AliasStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The prefix of every key the bridge writes, so they are easy to find and never collide. */
export const ALIAS_KEY_PREFIX = 'kmkit.tapstream-alias:';

/** The store key of one (Kissmetrics identity, named identity) pair. */
export function aliasKey(kmIdentity: string, namedIdentity: string): string {
  // JSON keeps the pair unambiguous whatever characters the identities hold.
  return ALIAS_KEY_PREFIX + JSON.stringify([kmIdentity, namedIdentity]);
}

/**
 * A store in memory: aliases are remembered for the life of the process only. For tests, and
 * servers that alias through another record of their own.
 */
export function createMemoryAliasStore(): AliasStore & {
  /** The saved keys and values, in the order they were saved. */
  entries(): [string, string][];
} {
  const saved = new Map<string, string>();
  return {
    get: (key) => saved.get(key),
    set(key, value) {
      saved.set(key, value);
    },
    entries: () => [...saved.entries()],
  };
}

function defaultStorage(): AliasStorage | undefined {
  try {
    // Reading localStorage throws where storage is disabled (sandboxed frames, some privacy modes).
    return (globalThis as { localStorage?: AliasStorage }).localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A store in the Web Storage API: `localStorage` by default (browsers, web views), or the
 * `storage` you pass (`sessionStorage`, a polyfill).
 *
 * @throws {KmValidationError} `invalid_option` at `storage` when there is no `localStorage` here
 * (Node, React Native): pass `storage`, or an {@link AliasStore} of your own.
 */
export function createLocalStorageAliasStore(
  options: { readonly storage?: AliasStorage } = {},
): AliasStore {
  const storage = options.storage ?? defaultStorage();
  if (!storage || typeof storage.getItem !== 'function' || typeof storage.setItem !== 'function') {
    throw new KmValidationError(
      'invalid_option',
      'storage',
      'there is no localStorage here: pass { storage }, or an AliasStore of your own ({ get, set }, e.g. over AsyncStorage in React Native)',
    );
  }
  return {
    get: (key) => storage.getItem(key),
    set(key, value) {
      storage.setItem(key, value);
    },
  };
}
