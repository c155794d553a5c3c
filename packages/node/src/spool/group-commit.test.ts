// What a server awaits before answering 2xx: `whenSynced()` resolves once what was added before it
// is forced to disk, with one fdatasync for every caller of an event-loop turn (group commit).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredRequest } from '@kmkit/core';
import { describe, expect, test } from 'vitest';
import { type DiskState, fullDiskFs } from '../../test/full-disk-fs.js';
import { type FsyncPolicy, openSpool, type SpoolWarning } from './spool.js';
import type { SpoolFs } from './spool-fs.js';

function entry(n: number): StoredRequest {
  return {
    id: `g-${n}`,
    request: { method: 'GET', url: `https://trk.kissmetrics.io/e?_k=k&_p=p${n}&_n=Seen&_t=1&_d=1` },
    enqueuedAt: 1_700_000_000_000 + n,
  };
}

// The real file system behind a fault switch, counting the journal syncs.
function countingFs(state: DiskState): { fs: SpoolFs; syncs: () => number } {
  const inner = fullDiskFs(state);
  let syncs = 0;
  return {
    fs: {
      ...inner,
      fdatasyncSync(fd) {
        syncs++;
        inner.fdatasyncSync(fd);
      },
    },
    syncs: () => syncs,
  };
}

function open(fsync: FsyncPolicy, state: DiskState = { free: Number.POSITIVE_INFINITY }) {
  const dir = mkdtempSync(join(tmpdir(), 'kmkit-group-'));
  const warnings: SpoolWarning[] = [];
  const counting = countingFs(state);
  const spool = openSpool({ dir, fsync }, (warning) => warnings.push(warning), counting.fs);
  // Opening rewrote (and synced) the journal: count from here.
  const base = counting.syncs();
  return { spool, warnings, syncs: () => counting.syncs() - base };
}

describe('whenSynced: answered only once on disk, one sync for a turn of callers', () => {
  test("with fsync 'interval', 50 adds of one turn resolve after a single fdatasync", async () => {
    const { spool, syncs } = open('interval');
    const waits: Promise<void>[] = [];
    for (let n = 0; n < 50; n++) {
      spool.store.add(entry(n));
      waits.push(spool.whenSynced());
    }
    expect(syncs()).toBe(0);
    await Promise.all(waits);
    expect(syncs()).toBe(1);
    // A later turn gets a sync of its own.
    spool.store.add(entry(50));
    await spool.whenSynced();
    expect(syncs()).toBe(2);
    spool.close();
  });

  test('a sync the disk refuses rejects every waiter of that turn with spool_write_failed', async () => {
    const state: DiskState = { free: Number.POSITIVE_INFINITY };
    const { spool, warnings } = open('interval', state);
    spool.store.add(entry(1));
    state.syncFailsWith = 'EIO';
    const waits = [spool.whenSynced(), spool.whenSynced()];
    for (const wait of waits) {
      await expect(wait).rejects.toMatchObject({
        name: 'KmSpoolError',
        code: 'spool_write_failed',
        cause: expect.objectContaining({ code: 'EIO' }),
      });
    }
    expect(warnings.map((warning) => warning.code)).toContain('spool_failed');
    // The disk recovers: the next turn is synced again.
    state.syncFailsWith = undefined;
    await expect(spool.whenSynced()).resolves.toBeUndefined();
    spool.close();
  });

  test("with fsync 'always' each add was synced already, so it resolves without another sync", async () => {
    const { spool, syncs } = open('always');
    spool.store.add(entry(1));
    expect(syncs()).toBe(1);
    await spool.whenSynced();
    expect(syncs()).toBe(1);
    spool.close();
  });

  test('a waiter left when the spool closes is released by the sync close() makes', async () => {
    const { spool, syncs } = open('interval');
    spool.store.add(entry(1));
    const wait = spool.whenSynced();
    spool.close();
    await expect(wait).resolves.toBeUndefined();
    expect(syncs()).toBeGreaterThanOrEqual(1);
  });
});
