import { readCookie, writeCookie } from './cookies.js';
import { randomId } from './random-id.js';

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

/** The `localStorage` key, and the cookie name, of the anonymous id. */
export const ANONYMOUS_ID = 'kmkit_anonymous_id';
/** The `localStorage` key, and the cookie name, of the user id. */
export const USER_ID = 'kmkit_user_id';

/**
 * Keeps the identity in `storage` (`localStorage`), else in first-party cookies, else in memory. It
 * is read again at every call, so a `reset()` or `identify()` in one tab holds in the others. A new
 * visitor reuses the Kissmetrics JS library's `km_ai` cookie when there is one, so a site moving
 * from device mode to cloud mode keeps its visitors.
 */
export function createIdentityStore(storage: Storage | undefined): IdentityStore {
  const memory: Record<string, string | undefined> = {};
  const get = (name: string) => {
    try {
      const stored = storage?.getItem(name);
      if (stored != null) return stored;
    } catch {
      // Storage is off: the cookie or memory has it.
    }
    return readCookie(name) ?? memory[name];
  };
  const put = (name: string, value?: string) => {
    memory[name] = value;
    try {
      if (value) storage!.setItem(name, value);
      else storage!.removeItem(name);
      // A cleared value must not come back from an older cookie.
      if (value) return;
    } catch {
      // No storage, a full quota or private mode: the cookie keeps it.
    }
    writeCookie(name, value);
  };
  const anonymousId = () => {
    const stored = get(ANONYMOUS_ID);
    if (stored) return stored;
    const id = readCookie('km_ai') || randomId(4);
    put(ANONYMOUS_ID, id);
    return id;
  };
  return {
    read: () => ({ anonymousId: anonymousId(), userId: get(USER_ID) }),
    setUserId: (userId) => put(USER_ID, userId),
    reset() {
      put(USER_ID);
      put(ANONYMOUS_ID, randomId(4));
    },
  };
}
