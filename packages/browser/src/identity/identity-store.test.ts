// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { pageStorageWith, resetPage } from '../../test/dom.js';
import { readCookie } from './cookies.js';
import { createIdentityStore } from './identity-store.js';
import { randomId } from './random-id.js';

beforeEach(resetPage);

const ids = (...values: string[]) => {
  const queue = [...values];
  return () => queue.shift()!;
};

const refusing = () =>
  pageStorageWith({
    getItem() {
      throw new DOMException('denied', 'SecurityError');
    },
    setItem() {
      throw new DOMException('denied', 'SecurityError');
    },
  });

describe('the identity store', () => {
  it('makes an anonymous id on first use and keeps it in localStorage', () => {
    const store = createIdentityStore(localStorage, ids('anon-1', 'anon-2'));
    expect(store.read()).toEqual({ anonymousId: 'anon-1' });
    expect(store.read()).toEqual({ anonymousId: 'anon-1' });
    expect(localStorage.getItem('kmkit.anonymousId')).toBe('anon-1');
    // Another page load (or tab) reads the same visitor.
    expect(createIdentityStore(localStorage, ids('other')).read()).toEqual({
      anonymousId: 'anon-1',
    });
  });

  it('reuses the Kissmetrics JS library’s km_ai cookie, URL-decoded', () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the Kissmetrics JS writes km_ai this way.
    document.cookie = `km_ai=${encodeURIComponent('Zm9v+YmFy/cXV4=')}; path=/`;
    const store = createIdentityStore(localStorage, ids('ours'));
    expect(store.read()).toEqual({ anonymousId: 'Zm9v+YmFy/cXV4=' });
    // Never written back: km_ai belongs to the library.
    expect(readCookie('km_ai')).toBe('Zm9v+YmFy/cXV4=');
  });

  it('keeps the user id, sees a change made by another tab, and reset() starts a new visitor', () => {
    const store = createIdentityStore(localStorage, ids('anon-1', 'anon-2'));
    store.setUserId('bob');
    expect(store.read()).toEqual({ anonymousId: 'anon-1', userId: 'bob' });
    localStorage.setItem('kmkit.userId', 'bob-from-another-tab');
    expect(store.read().userId).toBe('bob-from-another-tab');
    store.reset();
    expect(store.read()).toEqual({ anonymousId: 'anon-2' });
    expect(localStorage.getItem('kmkit.userId')).toBeNull();
  });

  it('falls back to first-party cookies when localStorage refuses, and to memory without cookies', () => {
    const store = createIdentityStore(refusing(), ids('anon-1', 'anon-2'));
    store.setUserId('u/1+');
    expect(store.read()).toEqual({ anonymousId: 'anon-1', userId: 'u/1+' });
    expect(readCookie('kmkit_anonymous_id')).toBe('anon-1');
    expect(readCookie('kmkit_user_id')).toBe('u/1+');
    store.reset();
    expect(store.read()).toEqual({ anonymousId: 'anon-2' });
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
      const store = createIdentityStore(undefined, ids('anon-1', 'anon-2'));
      expect(store.read()).toEqual({ anonymousId: 'anon-1' });
      expect(store.read()).toEqual({ anonymousId: 'anon-1' });
    } finally {
      delete (document as { cookie?: string }).cookie;
    }
  });
});

describe('randomId', () => {
  it('gives URL- and cookie-safe Base64 of the asked length, different each time', () => {
    const first = randomId(16, Math.random);
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomId(16, Math.random)).not.toBe(first);
    expect(randomId(6, Math.random)).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
