// @vitest-environment happy-dom
import { createManualScheduler, type ManualScheduler } from '@kmkit/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installLocks, pageStorageWith, removeLocks, resetPage } from '../../test/dom.js';
import { electSender, LEASE_HEARTBEAT_MS, LEASE_TTL_MS } from './sender-election.js';

beforeEach(resetPage);
afterEach(removeLocks);

function tab(tabId: string, clock: ManualScheduler, storage: Storage = localStorage) {
  const changes: boolean[] = [];
  const election = electSender('kmkit:key', storage, clock, tabId, (sending) =>
    changes.push(sending),
  );
  election.start();
  return { election, changes };
}

describe('with Web Locks', () => {
  it('lets the first tab send, tells the second at once that it does not, and hands over when the first leaves', async () => {
    installLocks();
    const clock = createManualScheduler();
    const first = tab('one', clock);
    const second = tab('two', clock);
    await Promise.all([first.election.decided, second.election.decided]);
    await clock.settle();
    expect(first.changes).toEqual([true]);
    expect(second.changes).toEqual([]);
    first.election.stop();
    await clock.settle();
    expect(first.changes).toEqual([true, false]);
    expect(second.changes).toEqual([true]);
  });

  it('falls back to the lease when the browser refuses Web Locks', async () => {
    installLocks({ refuse: true });
    const clock = createManualScheduler();
    const only = tab('one', clock);
    await only.election.decided;
    expect(only.changes).toEqual([true]);
    expect(localStorage.getItem('kmkit:key:lease')).toMatch(/^one \d+$/);
  });
});

describe('with the localStorage lease', () => {
  it('lets the holder send while it renews, and another tab take over once the lease expires', async () => {
    const clock = createManualScheduler();
    const first = tab('one', clock);
    const second = tab('two', clock);
    expect([first.changes, second.changes]).toEqual([[true], []]);
    await clock.advance(LEASE_HEARTBEAT_MS * 10);
    expect([first.changes, second.changes]).toEqual([[true], []]);
    // The first tab is frozen (its timers stop): its lease runs out.
    const frozen = localStorage.getItem('kmkit:key:lease')!;
    first.election.stop();
    localStorage.setItem('kmkit:key:lease', frozen);
    await clock.advance(LEASE_TTL_MS);
    expect(second.changes).toEqual([true]);
    expect(localStorage.getItem('kmkit:key:lease')).toMatch(/^two /);
  });

  it('hands over at once when the holder leaves and removes its lease', async () => {
    const clock = createManualScheduler();
    const first = tab('one', clock);
    const second = tab('two', clock);
    first.election.stop();
    expect(localStorage.getItem('kmkit:key:lease')).toBeNull();
    // The other tab hears the removal as a storage event.
    window.dispatchEvent(
      new StorageEvent('storage', {
        key: 'kmkit:key:lease',
        newValue: null,
        storageArea: localStorage,
      }),
    );
    await clock.settle();
    expect(second.changes).toEqual([true]);
  });

  it('steps down when another tab holds the lease after all (two tabs wrote it at once)', async () => {
    const clock = createManualScheduler();
    const first = tab('one', clock);
    localStorage.setItem('kmkit:key:lease', `two ${clock.now() + LEASE_TTL_MS}`);
    await clock.advance(LEASE_HEARTBEAT_MS);
    expect(first.changes).toEqual([true, false]);
  });

  it('sends alone when storage refuses the lease', () => {
    const clock = createManualScheduler();
    const broken = pageStorageWith({
      setItem() {
        throw new DOMException('denied', 'SecurityError');
      },
    });
    expect(tab('one', clock, broken).changes).toEqual([true]);
  });
});
