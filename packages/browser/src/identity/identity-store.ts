import { readCookie, writeCookie } from './cookies.js';

/** Who the visitor is, as cloud mode sends it. */
export interface Identity {
  /** Ours (or the Kissmetrics JS library's, reused from its `km_ai` cookie). */
  readonly anonymousId: string;
  /** Set by `identify(userId)`, cleared by `reset()`. */
  readonly userId?: string;
}

/** The visitor's identity, kept across page loads and shared by the site's tabs. */
export interface IdentityStore {
  /** The current identity; makes and keeps an anonymous id on first use. */
  read(): Identity;
  setUserId(userId: string): void;
  /** Forgets the user id and starts a new anonymous id. */
  reset(): void;
}

const KEYS = { anonymousId: 'kmkit.anonymousId', userId: 'kmkit.userId' } as const;
const COOKIES = { anonymousId: 'kmkit_anonymous_id', userId: 'kmkit_user_id' } as const;

/**
 * Keeps the identity in `storage` (`localStorage`), else in first-party cookies, else in memory. It
 * is read again at every call, so a `reset()` or `identify()` in one tab holds in the others. A new
 * visitor reuses the Kissmetrics JS library's `km_ai` cookie when there is one, so a site moving
 * from device mode to cloud mode keeps its visitors.
 */
export function createIdentityStore(
  storage: Storage | undefined,
  newAnonymousId: () => string,
): IdentityStore {
  const memory: { anonymousId?: string; userId?: string } = {};

  function get(name: keyof typeof KEYS): string | undefined {
    try {
      const stored = storage?.getItem(KEYS[name]);
      if (stored != null) return stored;
    } catch {
      // Storage is off: the cookie or memory has it.
    }
    return readCookie(COOKIES[name]) ?? memory[name];
  }

  function put(name: keyof typeof KEYS, value: string | undefined) {
    memory[name] = value;
    let kept = false;
    try {
      if (storage) {
        if (value === undefined) storage.removeItem(KEYS[name]);
        else storage.setItem(KEYS[name], value);
        kept = true;
      }
    } catch {
      // Quota or private mode: the cookie keeps it.
    }
    // A cleared value must not come back from an older cookie.
    if (!kept || value === undefined) writeCookie(COOKIES[name], value);
  }

  function anonymousId(): string {
    let id = get('anonymousId');
    if (id === undefined) {
      id = readCookie('km_ai') || newAnonymousId();
      put('anonymousId', id);
    }
    return id;
  }

  return {
    read() {
      const userId = get('userId');
      return userId === undefined
        ? { anonymousId: anonymousId() }
        : { anonymousId: anonymousId(), userId };
    },
    setUserId: (userId) => put('userId', userId),
    reset() {
      put('userId', undefined);
      put('anonymousId', newAnonymousId());
    },
  };
}
