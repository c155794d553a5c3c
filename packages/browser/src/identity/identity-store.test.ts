// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { pageStorageWith, resetPage } from '../../test/dom.js';
import { readCookie } from './cookies.js';
import { ANONYMOUS_ID, createIdentityStore, USER_ID } from './identity-store.js';
import { randomId } from './random-id.js';

beforeEach(resetPage);

const refusing = () =>
  pageStorageWith({
    getItem() {
      throw new DOMException('denied', 'SecurityError');
    },
    setItem() {
      throw new DOMException('denied', 'SecurityError');
    },
    removeItem() {
      throw new DOMException('denied', 'SecurityError');
    },
  });

describe('the identity store', () => {
  it('makes an anonymous id on first use and keeps it in localStorage', () => {
    const store = createIdentityStore(localStorage);
    const { anonymousId } = store.read();
    expect(anonymousId).toMatch(/^[a-z0-9]{4,28}$/);
    expect(store.read()).toEqual({ anonymousId });
    expect(localStorage.getItem('kmkit_anonymous_id')).toBe(anonymousId);
    // Another page load (or tab) reads the same visitor.
    expect(createIdentityStore(localStorage).read()).toEqual({ anonymousId });
  });

  it('reuses the Kissmetrics JS library’s km_ai cookie, URL-decoded', () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the Kissmetrics JS writes km_ai this way.
    document.cookie = `km_ai=${encodeURIComponent('Zm9v+YmFy/cXV4=')}; path=/`;
    const store = createIdentityStore(localStorage);
    expect(store.read()).toEqual({ anonymousId: 'Zm9v+YmFy/cXV4=' });
    // Never written back: km_ai belongs to the library.
    expect(readCookie('km_ai')).toBe('Zm9v+YmFy/cXV4=');
  });

  it('keeps the user id, sees a change made by another tab, and reset() starts a new visitor', () => {
    const store = createIdentityStore(localStorage);
    const { anonymousId } = store.read();
    store.setUserId('bob');
    expect(store.read()).toEqual({ anonymousId, userId: 'bob' });
    localStorage.setItem(USER_ID, 'bob-from-another-tab');
    expect(store.read().userId).toBe('bob-from-another-tab');
    store.reset();
    const after = store.read();
    expect(after.userId).toBeUndefined();
    expect(after.anonymousId).not.toBe(anonymousId);
    expect(localStorage.getItem(USER_ID)).toBeNull();
    expect(localStorage.getItem(ANONYMOUS_ID)).toBe(after.anonymousId);
  });

  it('falls back to first-party cookies when localStorage refuses, and to memory without cookies', () => {
    const store = createIdentityStore(refusing());
    const { anonymousId } = store.read();
    store.setUserId('u/1+');
    expect(store.read()).toEqual({ anonymousId, userId: 'u/1+' });
    expect(readCookie('kmkit_anonymous_id')).toBe(anonymousId);
    expect(readCookie('kmkit_user_id')).toBe('u/1+');
    store.reset();
    expect(store.read().anonymousId).not.toBe(anonymousId);
    expect(store.read().userId).toBeUndefined();
    expect(readCookie('kmkit_user_id')).toBeUndefined();
  });

  it('keeps the visitor in memory when neither storage nor cookies work', () => {
    // An own property hides the document's cookie accessor until it is deleted again.
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get() {
        throw new DOMException('sandboxed', 'SecurityError');
      },
      set() {
        throw new DOMException('sandboxed', 'SecurityError');
      },
    });
    try {
      const store = createIdentityStore(undefined);
      const { anonymousId } = store.read();
      store.setUserId('kept');
      expect(store.read()).toEqual({ anonymousId, userId: 'kept' });
    } finally {
      delete (document as { cookie?: string }).cookie;
    }
  });
});

describe('randomId', () => {
  it('gives cookie- and URL-safe base-36 text of 32 random bits a word, different each time', () => {
    const first = randomId(4);
    expect(first).toMatch(/^[a-z0-9]{4,28}$/);
    expect(randomId(4)).not.toBe(first);
    expect(new Set(Array.from({ length: 1000 }, () => randomId(4))).size).toBe(1000);
  });
});
