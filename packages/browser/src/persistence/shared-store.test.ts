// @vitest-environment happy-dom
import type { StoredRequest } from '@kmkit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { pageStorageWith, resetPage } from '../../test/dom.js';
import { createSharedStore } from './shared-store.js';

beforeEach(resetPage);

const entry = (id: string, enqueuedAt = 1000, name = id): StoredRequest => ({
  id,
  request: { method: 'GET', url: `https://trk.kissmetrics.io/e?_k=k&_p=p&_n=${name}` },
  enqueuedAt,
});

function sharedStore(storage: Storage = localStorage) {
  const seen = { failures: [] as unknown[], added: 0, removed: [] as string[], cleared: 0 };
  const store = createSharedStore(
    storage,
    'key',
    (error) => seen.failures.push(error),
    () => seen.added++,
    (id) => seen.removed.push(id),
    () => seen.cleared++,
  );
  return { store, seen };
}

// What another tab's write looks like to this one.
function fromOtherTab(key: string | null, newValue: string | null) {
  window.dispatchEvent(new StorageEvent('storage', { key, newValue, storageArea: localStorage }));
}

describe('the shared store', () => {
  it('keeps each request under its own key, scoped by API key, until it is removed', async () => {
    const { store } = sharedStore();
    store.add(entry('a-1'));
    store.add(entry('a-2'));
    expect(Object.keys(localStorage).sort()).toEqual(['kmkit:q:key:a-1', 'kmkit:q:key:a-2']);
    expect(JSON.parse(localStorage.getItem('kmkit:q:key:a-1')!)).toEqual({
      t: 1000,
      r: entry('a-1').request,
    });
    store.remove('a-1');
    await Promise.resolve();
    expect(Object.keys(localStorage)).toEqual(['kmkit:q:key:a-2']);
  });

  it('loads everything persisted for its key, oldest first, then only what other tabs add', async () => {
    localStorage.setItem('kmkit:q:key:b-2', JSON.stringify({ t: 2000, r: entry('b-2').request }));
    localStorage.setItem('kmkit:q:key:a-1', JSON.stringify({ t: 1000, r: entry('a-1').request }));
    localStorage.setItem('kmkit:q:key:a-0', JSON.stringify({ t: 2000, r: entry('a-0').request }));
    localStorage.setItem('kmkit:q:other-key:x', JSON.stringify({ t: 1, r: entry('x').request }));
    localStorage.setItem('kmkit:q:key:broken', '{not json');
    const { store, seen } = sharedStore();
    expect(await store.load()).toEqual([
      entry('a-1', 1000),
      entry('a-0', 2000),
      entry('b-2', 2000),
    ]);
    expect(await store.load()).toEqual([]);
    const added = entry('t2-1', 3000);
    const value = JSON.stringify({ t: 3000, r: added.request });
    localStorage.setItem('kmkit:q:key:t2-1', value);
    fromOtherTab('kmkit:q:key:t2-1', value);
    fromOtherTab('kmkit:q:other:zz', value);
    expect(seen.added).toBe(1);
    expect(await store.load()).toEqual([added]);
    // rescan() reads everything again.
    store.rescan();
    expect((await store.load()).map((loaded) => loaded.id)).toEqual(['a-1', 'a-0', 'b-2', 't2-1']);
  });

  it('hears what other tabs remove, and when they clear the whole storage', () => {
    const { seen } = sharedStore();
    fromOtherTab('kmkit:q:key:t2-1', null);
    fromOtherTab('kmkit:q:other:t2-1', null);
    fromOtherTab(null, null);
    expect(seen.removed).toEqual(['t2-1']);
    expect(seen.cleared).toBe(1);
  });

  it('tells another client of its key in this document what it adds and removes, and not itself', async () => {
    const { store, seen: own } = sharedStore();
    const { store: other, seen } = sharedStore();
    await other.load();
    store.add(entry('n-1'));
    expect(await other.load()).toEqual([entry('n-1')]);
    store.remove('n-1');
    await Promise.resolve();
    expect(seen.removed).toEqual(['n-1']);
    expect([own.added, own.removed]).toEqual([0, []]);
  });

  it('never throws when storage fails, reports the first failure of a streak only, and recovers', () => {
    let full = true;
    const quota = new DOMException('full', 'QuotaExceededError');
    const storage = pageStorageWith({
      setItem(key, value) {
        if (full) throw quota;
        localStorage.setItem(key, value);
      },
    });
    const { store, seen } = sharedStore(storage);
    expect(() => store.add(entry('a'))).not.toThrow();
    store.add(entry('b'));
    expect(seen.failures).toEqual([quota]);
    full = false;
    store.add(entry('c'));
    full = true;
    store.add(entry('d'));
    expect(seen.failures).toEqual([quota, quota]);
    expect(Object.keys(localStorage)).toEqual(['kmkit:q:key:c']);
    // What storage refused is known here only; the rest is persisted.
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => [store.unsaved(id), store.has(id)])).toEqual([
      [true, true],
      [true, true],
      [false, true],
      [true, true],
      [false, false],
    ]);
  });

  it('keeps a request the engine gave up on in this page, for the next one', async () => {
    const { store } = sharedStore();
    store.add(entry('a'));
    store.remove('a');
    store.keep('a');
    await Promise.resolve();
    expect(Object.keys(localStorage)).toEqual(['kmkit:q:key:a']);
  });
});
