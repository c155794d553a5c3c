import type { Store, StoredRequest } from './types.js';

/** The engine's calls into its {@link Store}, with the durable and best-effort rules applied. */
export interface StoreHooks {
  /** True when the store keeps requests through a crash. */
  readonly durable: boolean;
  /**
   * Keeps a new request before `enqueue` returns. `undefined` when kept (or when a best-effort store
   * failed: a warning, and delivery goes on in memory); else what a durable store failed with, and
   * the request must be refused.
   */
  add(stored: StoredRequest): { readonly error: unknown } | undefined;
  /** Forgets a settled request; a failure is a warning. */
  remove(id: string): void;
  /** What an earlier run left; a failure is a warning and an empty list. */
  load(): readonly StoredRequest[] | Promise<readonly StoredRequest[]>;
}

const isThenable = (value: unknown): value is PromiseLike<void> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/** Wraps `store` (none: memory only); `warn` hears what failed and while doing what. */
export function createStoreHooks(
  store: Store | undefined,
  warn: (error: unknown, action: string) => void,
): StoreHooks {
  function call(action: string, run: () => void | Promise<void>) {
    try {
      const result = run();
      if (isThenable(result)) result.then(undefined, (error) => warn(error, action));
    } catch (error) {
      warn(error, action);
    }
  }

  const remove = (id: string) => {
    if (store) call('remove a settled request', () => store.remove(id));
  };

  return {
    durable: store?.durable === true,
    add(stored) {
      if (!store) return undefined;
      if (!store.durable) {
        call('add a request', () => store.add(stored));
        return undefined;
      }
      let result: void | Promise<void>;
      try {
        result = store.add(stored);
      } catch (error) {
        return { error };
      }
      if (!isThenable(result)) return undefined;
      // Whether it is written is unknown when enqueue returns: refused, and taken out again.
      result.then(
        () => remove(stored.id),
        () => {},
      );
      return {
        error: new TypeError(
          'a durable store must add synchronously (its add() returned a promise): fix the store',
        ),
      };
    },
    remove,
    load() {
      if (!store) return [];
      const fail = (error: unknown) => {
        warn(error, 'load earlier requests');
        return [];
      };
      try {
        const loaded = store.load();
        return isThenable(loaded) ? Promise.resolve(loaded).then(undefined, fail) : loaded;
      } catch (error) {
        return fail(error);
      }
    },
  };
}
