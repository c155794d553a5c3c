import { KmValidationError } from '@kmkit/core';
import { describe, expect, test } from 'vitest';
import { aliasKey, createLocalStorageAliasStore, createMemoryAliasStore } from './alias-store.js';

function fakeStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      items.set(key, value);
    },
  };
}

describe('alias stores', () => {
  test('the key tells every pair apart, whatever characters the identities hold', () => {
    expect(aliasKey('a', 'b|c')).not.toBe(aliasKey('a|b', 'c'));
    expect(aliasKey('a","b', 'c')).not.toBe(aliasKey('a', 'b","c'));
    expect(aliasKey('x+/=', 'bob@example.com')).toBe(
      'kmkit.tapstream-alias:["x+/=","bob@example.com"]',
    );
  });

  test('the memory store gives back what was set', () => {
    const store = createMemoryAliasStore();
    expect(store.get('k')).toBeUndefined();
    store.set('k', 'v');
    expect(store.get('k')).toBe('v');
    expect(store.entries()).toEqual([['k', 'v']]);
  });

  test('the localStorage store writes through the given storage', () => {
    const storage = fakeStorage();
    const store = createLocalStorageAliasStore({ storage });
    expect(store.get('k')).toBeNull();
    store.set('k', 'v');
    expect(storage.items.get('k')).toBe('v');
    expect(store.get('k')).toBe('v');
  });

  test('the localStorage store uses the global localStorage by default', () => {
    const storage = fakeStorage();
    const global = globalThis as { localStorage?: unknown };
    global.localStorage = storage;
    try {
      createLocalStorageAliasStore().set('k', 'v');
    } finally {
      delete global.localStorage;
    }
    expect(storage.items.get('k')).toBe('v');
  });

  test('without localStorage (Node, React Native) the store says what to pass instead', () => {
    expect(() => createLocalStorageAliasStore()).toThrow(KmValidationError);
    expect(() => createLocalStorageAliasStore()).toThrow(/AsyncStorage/);
  });
});
