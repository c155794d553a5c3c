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

// The clock of these tests: 1000 ms after the epoch, with a day as the age bound.
const RULES = { base: 'https://trk.kissmetrics.io', now: () => 1000, maxAgeMs: 86_400_000 };

function sharedStore(storage: Storage = localStorage) {
  const seen = {
    failures: [] as unknown[],
    invalid: [] as number[],
    added: 0,
    removed: [] as string[],
    cleared: 0,
  };
  const store = createSharedStore(storage, 'key', RULES, {
    onFailure: (error) => seen.failures.push(error),
    onInvalid: (count) => seen.invalid.push(count),
    onAdded: () => seen.added++,
    onRemoved: (id) => seen.removed.push(id),
    onCleared: () => seen.cleared++,
  });
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

  it('loads the valid entries of a poisoned queue, and removes the others with one warning counting them', async () => {
    const valid = entry('ok-1', 900);
    const post = {
      id: 'ok-2',
      request: {
        method: 'POST' as const,
        url: 'https://trk.kissmetrics.io/e',
        body: '_k=k&_p=p&_n=Big',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      enqueuedAt: 950,
    };
    const save = (id: string, value: unknown) =>
      localStorage.setItem(
        `kmkit:q:key:${id}`,
        typeof value === 'string' ? value : JSON.stringify(value),
      );
    save('ok-1', { t: 900, r: valid.request });
    // A stored header is never read back: a POST is always a form.
    save('ok-2', { t: 950, r: { ...post.request, headers: { 'x-evil': '1' } } });
    const url = 'https://trk.kissmetrics.io/e?_k=k&_p=p&_n=Bad';
    save('bad-url', { t: 900, r: { method: 'GET', url: 12345 } });
    save('bad-origin', { t: 900, r: { method: 'GET', url: 'https://evil.example/e?_k=k' } });
    save('bad-look-alike', {
      t: 900,
      r: { method: 'GET', url: 'https://trk.kissmetrics.io.evil.example/e' },
    });
    save('bad-method', { t: 900, r: { method: 'DELETE', url } });
    save('bad-no-time', { r: { method: 'GET', url } });
    save('bad-text-time', { t: '900', r: { method: 'GET', url } });
    save('bad-future', { t: 1000 + 86_400_001, r: { method: 'GET', url } });
    save('bad-get-body', { t: 900, r: { method: 'GET', url, body: 'x=1' } });
    save('bad-post-no-body', { t: 900, r: { method: 'POST', url } });
    save('bad-no-request', { t: 900 });
    save('bad-json', '{"t":');
    save('bad-null', 'null');
    localStorage.setItem('kmkit:q:other-key:x', 'left alone');
    const { store, seen } = sharedStore();
    expect(await store.load()).toEqual([valid, post]);
    expect(seen.invalid).toEqual([12]);
    expect(Object.keys(localStorage).sort()).toEqual([
      'kmkit:q:key:ok-1',
      'kmkit:q:key:ok-2',
      'kmkit:q:other-key:x',
    ]);
    // Gone for good: the next load finds nothing to report.
    store.rescan();
    await store.load();
    expect(seen.invalid).toEqual([12]);
  });

  it('ignores, without removing it, an invalid entry another tab writes', () => {
    const { seen } = sharedStore();
    const value = JSON.stringify({
      t: 900,
      r: { method: 'DELETE', url: 'https://trk.kissmetrics.io/e' },
    });
    localStorage.setItem('kmkit:q:key:t2-9', value);
    fromOtherTab('kmkit:q:key:t2-9', value);
    expect([seen.added, seen.invalid]).toEqual([0, []]);
    expect(localStorage.getItem('kmkit:q:key:t2-9')).toBe(value);
  });

  it('loads what it read when storage fails while reading, and says so', async () => {
    localStorage.setItem('kmkit:q:key:a-1', JSON.stringify({ t: 900, r: entry('a-1').request }));
    const denied = new DOMException('denied', 'SecurityError');
    const { store, seen } = sharedStore(
      pageStorageWith({
        getItem() {
          throw denied;
        },
      }),
    );
    expect(await store.load()).toEqual([]);
    expect(seen.failures).toEqual([denied]);
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
