import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredRequest } from '@kmkit/core';
import { describe, expect, test } from 'vitest';
import { addedLine, JOURNAL_HEADER } from './journal.js';
import { openSpool, type SpoolWarning } from './spool.js';

function tempDir() {
  return mkdtempSync(join(tmpdir(), 'kmkit-spool-'));
}

function entry(n: number): StoredRequest {
  return {
    id: `r-${n}`,
    request: { method: 'GET', url: `https://trk.kissmetrics.io/e?_k=k&_p=p${n}&_n=Seen&_t=1&_d=1` },
    enqueuedAt: 1_700_000_000_000 + n,
  };
}

function open(dir: string, options: Partial<Parameters<typeof openSpool>[0]> = {}) {
  const warnings: SpoolWarning[] = [];
  const spool = openSpool({ dir, ...options }, (warning) => warnings.push(warning));
  return { spool, warnings };
}

describe('the spool', () => {
  test('what was added and not acknowledged is loaded by the next spool on the directory', () => {
    const dir = tempDir();
    const first = open(dir).spool;
    expect(first.store.load()).toEqual([]);
    for (let n = 1; n <= 4; n++) first.store.add(entry(n));
    first.store.remove('r-2');
    first.close();

    const second = open(dir).spool;
    expect(second.store.load()).toEqual([entry(1), entry(3), entry(4)]);
    expect(second.stats()).toMatchObject({ entries: 3, recovered: 3, corruptLines: 0 });
    second.close();
  });

  test('a request is in the journal file as soon as add returns', () => {
    const dir = tempDir();
    const { spool } = open(dir, { fsync: 'never' });
    spool.store.add(entry(7));
    expect(readFileSync(join(dir, 'journal.log'), 'utf8')).toContain(addedLine(entry(7)));
    spool.close();
  });

  test('damaged lines are skipped with a warning naming file and line, never a crash', () => {
    const dir = tempDir();
    const journal = join(dir, 'journal.log');
    writeFileSync(
      journal,
      `${JOURNAL_HEADER}${addedLine(entry(1))}A r-2 {"enqueuedAt":\n${addedLine(entry(3))}${addedLine(entry(4)).slice(0, 25)}`,
    );
    const { spool, warnings } = open(dir);
    expect(spool.store.load()).toEqual([entry(1), entry(3)]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'spool_corrupt_line', path: `${journal}:3` }),
      expect.objectContaining({ code: 'spool_corrupt_line', path: `${journal}:5` }),
    ]);
    expect(warnings[1]!.message).toMatch(/truncated/);
    spool.close();
    // The journal was rewritten clean: the next open has nothing to complain about.
    const again = open(dir);
    expect(again.spool.store.load()).toEqual([entry(1), entry(3)]);
    expect(again.warnings).toEqual([]);
    again.spool.close();
  });

  test('the journal is compacted when acknowledged records outweigh live ones', () => {
    const dir = tempDir();
    const { spool } = open(dir, { compactBytes: 4096 });
    for (let n = 0; n < 200; n++) spool.store.add(entry(n));
    const full = spool.stats().fileBytes;
    for (let n = 0; n < 195; n++) spool.store.remove(`r-${n}`);
    spool.sync();
    const stats = spool.stats();
    expect(stats.compactions).toBeGreaterThan(1);
    expect(stats.entries).toBe(5);
    expect(stats.fileBytes).toBeLessThan(full / 10);
    expect(statSync(join(dir, 'journal.log')).size).toBe(stats.fileBytes);
    spool.close();
    const next = open(dir).spool;
    expect(next.store.load().map((item) => item.id)).toEqual([
      'r-195',
      'r-196',
      'r-197',
      'r-198',
      'r-199',
    ]);
    next.close();
  });

  test('fits() says no once unacknowledged requests would pass maxBytes', () => {
    const dir = tempDir();
    const line = addedLine(entry(1)).length;
    const { spool } = open(dir, { maxBytes: line * 3 + 64 });
    const size = entry(1).request.url.length;
    spool.store.add(entry(1));
    spool.store.add(entry(2));
    expect(spool.fits(size)).toBe(true);
    spool.store.add(entry(3));
    expect(spool.fits(size)).toBe(false);
    spool.store.remove('r-1');
    expect(spool.fits(size)).toBe(true);
    spool.close();
  });

  test.each(['always', 'interval', 'never'] as const)('fsync %s keeps every record', (fsync) => {
    const dir = tempDir();
    const { spool } = open(dir, { fsync });
    spool.store.add(entry(1));
    spool.sync();
    spool.close();
    const next = open(dir).spool;
    expect(next.store.load()).toEqual([entry(1)]);
    next.close();
  });

  test('options out of range are refused naming the option', () => {
    expect(() => open(tempDir(), { fsync: 'sometimes' as 'never' })).toThrow(
      expect.objectContaining({ name: 'KmSpoolError', path: 'spool.fsync' }),
    );
    expect(() => open(tempDir(), { maxBytes: 0 })).toThrow(
      expect.objectContaining({ path: 'spool.maxBytes' }),
    );
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    expect(() => open(join(file, 'spool'))).toThrow(
      expect.objectContaining({ code: 'spool_unavailable', path: 'spool.dir' }),
    );
  });
});

describe('the spool lock', () => {
  test('a second spool on the same directory in this process is refused', () => {
    const dir = tempDir();
    const { spool } = open(dir);
    expect(() => open(dir)).toThrow(expect.objectContaining({ code: 'spool_locked' }));
    spool.close();
    open(dir).spool.close();
  });

  test('a directory locked by another live process is refused', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      // The lock as a process that holds it left it: generation 1, naming its pid.
      mkdirSync(join(dir, 'lock'));
      writeFileSync(join(dir, 'lock', '1'), `${child.pid} -\n`);
      expect(() => open(dir)).toThrow(
        expect.objectContaining({
          code: 'spool_locked',
          message: expect.stringContaining(String(child.pid)),
        }),
      );
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    // Its process is gone: the lock is stale and the next spool takes it over.
    const { spool } = open(dir);
    expect(readdirSync(join(dir, 'lock'))).toEqual(['2']);
    expect(readFileSync(join(dir, 'lock', '2'), 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    spool.close();
    // Released: the next spool takes it without waiting for this process to end.
    open(dir).spool.close();
  });
});
