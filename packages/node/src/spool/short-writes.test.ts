// The journal on a disk that fills up or fails, through an injected `fs`: it can cut a write at
// any byte and fail `ftruncate` or `fdatasync` on demand, which a real small filesystem
// (disk-full.test.ts) cannot, and it runs where mounting one is not allowed.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredRequest } from '@kmkit/core';
import { describe, expect, test } from 'vitest';
import { type DiskState, fullDiskFs } from '../../test/full-disk-fs.js';
import { addedLine, JOURNAL_HEADER } from './journal.js';
import { openSpool, type SpoolWarning } from './spool.js';

function entry(n: number): StoredRequest {
  return {
    id: `r-${n}`,
    request: { method: 'GET', url: `https://trk.kissmetrics.io/e?_k=k&_p=p${n}&_n=Seen&_t=1&_d=1` },
    enqueuedAt: 1_700_000_000_000 + n,
  };
}

const recordBytes = Buffer.byteLength(addedLine(entry(1)));

function setup(state: DiskState, fsync: 'always' | 'never' = 'never') {
  const dir = mkdtempSync(join(tmpdir(), 'kmkit-short-'));
  const warnings: SpoolWarning[] = [];
  const spool = openSpool({ dir, fsync }, (warning) => warnings.push(warning), fullDiskFs(state));
  const journal = () => readFileSync(join(dir, 'journal.log'), 'utf8');
  const reopen = () => {
    const seen: SpoolWarning[] = [];
    const next = openSpool({ dir }, (warning) => seen.push(warning));
    const loaded = next.store.load().map((item) => item.id);
    next.close();
    return { loaded, warnings: seen };
  };
  return { spool, warnings, journal, reopen };
}

describe('the spool on a disk that fills up', () => {
  test('a record cut short by a full disk is refused with the ENOSPC, cut back, and the next one is whole', () => {
    const state: DiskState = { free: Number.POSITIVE_INFINITY };
    const { spool, journal, reopen } = setup(state);
    spool.store.add(entry(1));
    const before = journal();
    // Room for half a record: the write is short, the rest fails.
    state.free = Math.floor(recordBytes / 2);
    expect(() => spool.store.add(entry(2))).toThrow(
      expect.objectContaining({
        name: 'KmSpoolError',
        code: 'spool_write_failed',
        path: 'spool.dir',
        cause: expect.objectContaining({ code: 'ENOSPC' }),
      }),
    );
    expect(journal()).toBe(before);
    // Space again (an operator freed some): the next record starts on a line of its own.
    state.free = Number.POSITIVE_INFINITY;
    spool.store.add(entry(3));
    spool.close();
    expect(reopen()).toEqual({ loaded: ['r-1', 'r-3'], warnings: [] });
  });

  test('each event the disk refuses is refused on its own, with its own error', () => {
    const state: DiskState = { free: Number.POSITIVE_INFINITY };
    const { spool, reopen } = setup(state);
    state.free = recordBytes * 2 + 10;
    const outcomes: string[] = [];
    for (let n = 1; n <= 5; n++) {
      try {
        spool.store.add(entry(n));
        outcomes.push('kept');
      } catch (error) {
        outcomes.push((error as { cause: { code: string } }).cause.code);
      }
    }
    expect(outcomes).toEqual(['kept', 'kept', 'ENOSPC', 'ENOSPC', 'ENOSPC']);
    state.failWith = 'EIO';
    expect(() => spool.store.add(entry(6))).toThrow(
      expect.objectContaining({ cause: expect.objectContaining({ code: 'EIO' }) }),
    );
    state.failWith = undefined;
    spool.close();
    expect(reopen()).toEqual({ loaded: ['r-1', 'r-2'], warnings: [] });
  });

  test('writes that return fewer bytes than asked are completed, not taken as done', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-short-'));
    const base = fullDiskFs({ free: Number.POSITIVE_INFINITY });
    // At most 7 bytes a call: every record takes many writes.
    const spool = openSpool({ dir, fsync: 'never' }, () => {}, {
      ...base,
      writeSync: (fd, buffer, offset, length) =>
        base.writeSync(fd, buffer, offset, Math.min(7, length)),
    });
    for (let n = 1; n <= 3; n++) spool.store.add(entry(n));
    spool.close();
    expect(readFileSync(join(dir, 'journal.log'), 'utf8')).toBe(
      JOURNAL_HEADER + [1, 2, 3].map((n) => addedLine(entry(n))).join(''),
    );
  });

  test('when the cut-back itself fails, the partial record is removed before the next one is written', () => {
    const state: DiskState = { free: Number.POSITIVE_INFINITY };
    const { spool, journal, reopen } = setup(state);
    spool.store.add(entry(1));
    state.free = 20;
    state.truncateFailsWith = 'EIO';
    expect(() => spool.store.add(entry(2))).toThrow(
      expect.objectContaining({ code: 'spool_write_failed' }),
    );
    // The first 20 bytes of the record are on disk for now...
    expect(journal().endsWith(addedLine(entry(2)).slice(0, 20))).toBe(true);
    // ...and a write while it cannot be removed is refused rather than glued to it.
    state.free = Number.POSITIVE_INFINITY;
    expect(() => spool.store.add(entry(3))).toThrow(
      expect.objectContaining({ code: 'spool_write_failed' }),
    );
    state.truncateFailsWith = undefined;
    spool.store.add(entry(4));
    spool.close();
    expect(reopen()).toEqual({ loaded: ['r-1', 'r-4'], warnings: [] });
  });

  test("with fsync 'always', a record the disk could not sync is refused and cut back", () => {
    const state: DiskState = { free: Number.POSITIVE_INFINITY };
    const { spool, journal, reopen } = setup(state, 'always');
    spool.store.add(entry(1));
    const before = journal();
    state.syncFailsWith = 'EIO';
    expect(() => spool.store.add(entry(2))).toThrow(
      expect.objectContaining({ cause: expect.objectContaining({ code: 'EIO' }) }),
    );
    expect(journal()).toBe(before);
    state.syncFailsWith = undefined;
    spool.close();
    expect(reopen().loaded).toEqual(['r-1']);
  });

  test('acknowledgements that cannot be written are kept and written once there is room', () => {
    const state: DiskState = { free: Number.POSITIVE_INFINITY };
    const { spool, warnings, reopen } = setup(state);
    for (let n = 1; n <= 3; n++) spool.store.add(entry(n));
    state.free = 3;
    spool.store.remove('r-1');
    spool.sync();
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'spool_failed', message: expect.stringMatching(/ENOSPC/) }),
    ]);
    state.free = Number.POSITIVE_INFINITY;
    spool.store.remove('r-2');
    spool.close();
    expect(reopen()).toEqual({ loaded: ['r-3'], warnings: [] });
  });

  test('a compaction the full disk cuts short leaves the journal whole, with one warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-short-'));
    const state: DiskState = { free: Number.POSITIVE_INFINITY };
    const warnings: SpoolWarning[] = [];
    const spool = openSpool(
      { dir, fsync: 'never', compactBytes: 4096 },
      (warning) => warnings.push(warning),
      fullDiskFs(state),
    );
    for (let n = 0; n < 200; n++) spool.store.add(entry(n));
    // Room for the acknowledgements, not for the compacted copy of the journal.
    const acks = Array.from({ length: 195 }, (_, n) => `D r-${n}\n`).join('');
    state.free = acks.length + 100;
    for (let n = 0; n < 195; n++) spool.store.remove(`r-${n}`);
    spool.sync();
    spool.sync();
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'spool_failed', message: expect.stringMatching(/compact/) }),
    ]);
    expect(spool.stats().compactions).toBe(1);
    state.free = Number.POSITIVE_INFINITY;
    spool.close();
    const next = openSpool({ dir }, () => {});
    expect(next.store.load().map((item) => item.id)).toEqual([
      'r-195',
      'r-196',
      'r-197',
      'r-198',
      'r-199',
    ]);
    expect(next.stats().corruptLines).toBe(0);
    next.close();
  });

  test('a journal that cannot be rewritten at start is appended to as it is, from its last whole line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-short-'));
    const first = openSpool({ dir, fsync: 'never' }, () => {});
    first.store.add(entry(1));
    first.close();
    // A crash in the middle of a record left half of it.
    const journalPath = join(dir, 'journal.log');
    const cut = addedLine(entry(2)).slice(0, 30);
    appendFileSync(journalPath, cut);
    // The disk is full: the start-up rewrite (a temp file) fails.
    const state: DiskState = { free: 0 };
    const warnings: SpoolWarning[] = [];
    const spool = openSpool({ dir }, (warning) => warnings.push(warning), fullDiskFs(state));
    expect(spool.store.load().map((item) => item.id)).toEqual(['r-1']);
    expect(warnings.map((warning) => warning.code)).toEqual(['spool_corrupt_line', 'spool_failed']);
    state.free = Number.POSITIVE_INFINITY;
    spool.store.add(entry(3));
    spool.close();
    expect(readFileSync(journalPath, 'utf8')).toBe(
      JOURNAL_HEADER + addedLine(entry(1)) + addedLine(entry(3)),
    );
  });
});
