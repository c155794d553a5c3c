// @vitest-environment happy-dom
import type { StoredRequest } from '@kmkit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { pageStorageWith, resetPage } from '../../test/dom.js';
import { createSharedQueue, type SharedQueueOptions } from './shared-queue.js';

beforeEach(resetPage);

const entry = (id: string, enqueuedAt = 1000, name = id): StoredRequest => ({
  id,
  request: { method: 'GET', url: `https://trk.kissmetrics.io/e?_k=k&_p=p&_n=${name}` },
  enqueuedAt,
});

function sharedQueue(options: Partial<SharedQueueOptions> = {}) {
  const seen = { failures: [] as unknown[], added: 0, removed: [] as string[], cleared: 0 };
  const queue = createSharedQueue({
    storage: localStorage,
    apiKey: 'key',
    maxLength: 100,
    maxBytes: 100_000,
    onFailure: (error) => seen.failures.push(error),
    onAdded: () => seen.added++,
    onRemoved: (id) => seen.removed.push(id),
    onCleared: () => seen.cleared++,
    ...options,
  });
  return { queue, seen };
}

// What another tab's write looks like to this one.
function fromOtherTab(key: string, newValue: string | null) {
  window.dispatchEvent(new StorageEvent('storage', { key, newValue, storageArea: localStorage }));
}

describe('the shared queue', () => {
  it('keeps each request under its own key, scoped by API key, until it is removed', async () => {
    const { queue } = sharedQueue();
    queue.store.add(entry('a-1'));
    queue.store.add(entry('a-2'));
    expect(Object.keys(localStorage).sort()).toEqual(['kmkit:q:key:a-1', 'kmkit:q:key:a-2']);
    expect(JSON.parse(localStorage.getItem('kmkit:q:key:a-1')!)).toEqual({
      t: 1000,
      r: entry('a-1').request,
    });
    queue.store.remove('a-1');
    await Promise.resolve();
    expect(Object.keys(localStorage)).toEqual(['kmkit:q:key:a-2']);
  });

  it('gives the engine nothing until this tab sends, then everything, oldest first', async () => {
    const { queue } = sharedQueue();
    queue.store.add(entry('b-2', 2000));
    queue.store.add(entry('a-1', 1000));
    queue.store.add(entry('a-0', 2000));
    localStorage.setItem('kmkit:q:other-key:x', JSON.stringify({ t: 1, r: entry('x').request }));
    localStorage.setItem('kmkit:q:key:broken', '{not json');
    expect(await queue.store.load()).toEqual([]);
    queue.activate(true);
    expect(await queue.store.load()).toEqual([
      entry('a-1', 1000),
      entry('a-0', 2000),
      entry('b-2', 2000),
    ]);
    // Read once: later loads bring only what other tabs add.
    expect(await queue.store.load()).toEqual([]);
  });

  it('picks up what other tabs add while this tab sends, and hears what they remove', async () => {
    const { queue, seen } = sharedQueue();
    queue.activate(true);
    await queue.store.load();
    const added = entry('t2-1', 3000);
    localStorage.setItem('kmkit:q:key:t2-1', JSON.stringify({ t: 3000, r: added.request }));
    fromOtherTab('kmkit:q:key:t2-1', JSON.stringify({ t: 3000, r: added.request }));
    fromOtherTab('kmkit:q:other:zz', JSON.stringify({ t: 1, r: added.request }));
    expect(seen.added).toBe(1);
    expect(await queue.store.load()).toEqual([added]);
    fromOtherTab('kmkit:q:key:t2-1', null);
    fromOtherTab(null as unknown as string, null);
    expect(seen.removed).toEqual(['t2-1']);
    expect(seen.cleared).toBe(1);
  });

  it('hands a request over within the count and byte bounds, and says when it is full', () => {
    const size = entry('a').request.url.length;
    const { queue } = sharedQueue({ maxLength: 2, maxBytes: size * 10 });
    expect(queue.handOff(entry('a'))).toBe('stored');
    expect(queue.handOff(entry('b'))).toBe('stored');
    expect(queue.handOff(entry('c'))).toBe('full');
    const bytes = sharedQueue({ maxLength: 10, maxBytes: size * 2 + 1 }).queue;
    expect(bytes.handOff(entry('d'))).toBe('full');
    expect(Object.keys(localStorage).sort()).toEqual(['kmkit:q:key:a', 'kmkit:q:key:b']);
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
    const { queue, seen } = sharedQueue({ storage });
    expect(() => queue.store.add(entry('a'))).not.toThrow();
    expect(queue.handOff(entry('b'))).toBe('failed');
    expect(seen.failures).toEqual([quota]);
    full = false;
    queue.store.add(entry('c'));
    full = true;
    queue.store.add(entry('d'));
    expect(seen.failures).toEqual([quota, quota]);
    expect(Object.keys(localStorage)).toEqual(['kmkit:q:key:c']);
  });

  it('keeps a request the engine gave up on in this page, for the next one', async () => {
    const { queue } = sharedQueue();
    queue.store.add(entry('a'));
    queue.store.remove('a');
    queue.keep('a');
    await Promise.resolve();
    expect(Object.keys(localStorage)).toEqual(['kmkit:q:key:a']);
  });

  it('clears every request but the ones asked to keep, and returns them', () => {
    const { queue } = sharedQueue();
    queue.store.add(entry('a', 1));
    queue.store.add(entry('b', 2));
    queue.store.add(entry('c', 3));
    expect(queue.clear(new Set(['b']))).toEqual([entry('a', 1), entry('c', 3)]);
    expect(Object.keys(localStorage)).toEqual(['kmkit:q:key:b']);
  });
});
