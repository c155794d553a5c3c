import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store, StoredRequest } from '@kmkit/core';
import { addedLine, JOURNAL_HEADER, readJournal, settledLine } from './journal.js';
import { KmSpoolError } from './spool-error.js';
import { acquireSpoolLock } from './spool-lock.js';

/**
 * When the journal is forced to disk (`fdatasync`). A `kill -9` never loses a queued event under
 * any policy: the journal is written before `track()` returns and the kernel keeps it. The policy
 * is about power loss and kernel crashes:
 *
 * - `'always'`: after every queued event (each `track()` waits for the disk: slow);
 * - `'interval'` (default): at most `fsyncIntervalMs` after a write, so a power cut loses at most
 *   that much, at a cost too small to measure;
 * - `'never'`: when the operating system decides.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** Options of the crash-safe spool (`createKissmetrics({ spool })`). */
export interface SpoolOptions {
  /** The directory of the journal and its lock; created when missing. One process per directory. */
  readonly dir: string;
  /** Default `'interval'`; see {@link FsyncPolicy}. */
  readonly fsync?: FsyncPolicy;
  /** The interval of the `'interval'` policy. Default 1000 ms. */
  readonly fsyncIntervalMs?: number;
  /**
   * At most this many bytes of unacknowledged requests in the journal; beyond it new events are
   * refused with a `drop` event (`spool_full`). The client's default is what its queue caps allow
   * (`maxQueueBytes` plus about 100 bytes per request of `maxQueueLength`: 17 MiB by default), so a
   * restart never loads more than the queue may hold. The file itself stays under about twice this:
   * it is compacted when acknowledged records outweigh the live ones.
   */
  readonly maxBytes?: number;
  /** The journal is not compacted below this size. Default 4 MiB. */
  readonly compactBytes?: number;
}

/** Figures of a spool, in `client.stats().spool`. */
export interface SpoolStats {
  /** The resolved directory. */
  readonly dir: string;
  /** Requests written and not yet acknowledged. */
  readonly entries: number;
  /** Their bytes in the journal. */
  readonly bytes: number;
  /** The journal file's size. */
  readonly fileBytes: number;
  /** Rewrites of the journal with only its live records (at start and when it grew). */
  readonly compactions: number;
  /** Lines skipped as unreadable when the journal was opened. */
  readonly corruptLines: number;
  /** Requests recovered from an earlier process when it was opened. */
  readonly recovered: number;
}

/** Something the spool could not do; delivery carries on. */
export interface SpoolWarning {
  readonly code: 'spool_corrupt_line' | 'spool_failed';
  readonly message: string;
  /** `spool.dir` for failures; `<journal file>:<line>` for a skipped line. */
  readonly path: string;
  readonly error?: unknown;
}

/** An open spool: the {@link Store} the delivery queue writes through, and its upkeep. */
export interface Spool {
  /** Durable, and synchronous: `load()` returns the recovered requests at once. */
  readonly store: Omit<Store, 'load'> & { load(): readonly StoredRequest[] };
  /** True when a request of `bytes` (URL and body) fits in the journal under `maxBytes`. */
  fits(bytes: number): boolean;
  /** Writes the buffered acknowledgements (and compacts when it is time). */
  sync(): void;
  /** Writes acknowledgements, forces the journal to disk (except with `'never'`), closes it and
   * releases the lock. Idempotent. */
  close(): void;
  stats(): SpoolStats;
}

/** The journal bytes of a request beyond its URL and body: the record's keys, id and timestamp. */
export const SPOOL_RECORD_OVERHEAD = 96;

/** `maxBytes` when nothing else says: the default queue caps (16 MiB, 10,000 requests) in records. */
export const DEFAULT_SPOOL_BYTES = 16 * 1024 * 1024 + 10_000 * SPOOL_RECORD_OVERHEAD;

const JOURNAL = 'journal.log';
const LOCK = 'spool.lock';
const ACK_FLUSH_MS = 50;
const ACK_FLUSH_BYTES = 64 * 1024;

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new KmSpoolError('spool_unavailable', name, `${name} must be a positive number`);
  }
  return value;
}

function fail(message: string, error: unknown): KmSpoolError {
  return new KmSpoolError(
    'spool_unavailable',
    'spool.dir',
    `${message}: ${(error as Error).message}`,
    {
      cause: error,
    },
  );
}

function syncDirectory(dir: string) {
  // Makes a rename survive power loss on POSIX; Windows cannot open a directory, which is fine.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort.
  }
}

/**
 * Opens (or creates) a spool directory: takes its lock, reads the journal an earlier process left
 * (skipping damaged lines with a warning), compacts it, and returns the durable {@link Store} that
 * writes each request with `fs.writeSync` before `track()` returns and acknowledges settled ones.
 *
 * @throws {KmSpoolError} `spool_locked` when a live process uses the directory, `spool_unavailable`
 * when it cannot be created or written.
 */
export function openSpool(
  options: SpoolOptions,
  onWarning: (warning: SpoolWarning) => void,
): Spool {
  if (typeof options?.dir !== 'string' || options.dir === '') {
    throw new KmSpoolError('spool_unavailable', 'spool.dir', 'spool.dir must be a directory path');
  }
  const policy = options.fsync ?? 'interval';
  if (policy !== 'always' && policy !== 'interval' && policy !== 'never') {
    throw new KmSpoolError(
      'spool_unavailable',
      'spool.fsync',
      `spool.fsync must be 'always', 'interval' or 'never', got ${String(policy)}`,
    );
  }
  const intervalMs = positiveOption('spool.fsyncIntervalMs', options.fsyncIntervalMs, 1000);
  const maxBytes = positiveOption('spool.maxBytes', options.maxBytes, DEFAULT_SPOOL_BYTES);
  const compactBytes = positiveOption('spool.compactBytes', options.compactBytes, 4 * 1024 * 1024);

  const dir = resolve(options.dir);
  const file = join(dir, JOURNAL);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fail(`cannot create the spool directory ${dir}`, error);
  }
  const release = acquireSpoolLock(dir, join(dir, LOCK));

  // id -> bytes of its A record, in the order added.
  const live = new Map<string, number>();
  let liveBytes = 0;
  let fileBytes = 0;
  let compactions = 0;
  let fd = -1;
  let closed = false;
  let acks = '';
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  let recovered: StoredRequest[] = [];
  let loaded = false;
  const pendingWarnings: SpoolWarning[] = [];

  function warn(warning: SpoolWarning) {
    onWarning(warning);
  }

  function failed(action: string, error: unknown) {
    warn({
      code: 'spool_failed',
      message: `the spool failed to ${action} (${(error as Error)?.message ?? String(error)}); delivery continues`,
      path: 'spool.dir',
      error,
    });
  }

  // Writes `text` as the whole journal, atomically: a temp file, synced, then renamed over it.
  function rewrite(text: string) {
    const temp = `${file}.tmp`;
    const tempFd = openSync(temp, 'w');
    try {
      writeSync(tempFd, text);
      if (policy !== 'never') fdatasyncSync(tempFd);
    } finally {
      closeSync(tempFd);
    }
    renameSync(temp, file);
    if (policy !== 'never') syncDirectory(dir);
    if (fd !== -1) closeSync(fd);
    fd = openSync(file, 'a');
    fileBytes = Buffer.byteLength(text);
    compactions++;
  }

  function open() {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        release();
        throw fail(`cannot read the journal ${file}`, error);
      }
    }
    const contents = readJournal(text);
    for (const { line, reason } of contents.corrupt) {
      pendingWarnings.push({
        code: 'spool_corrupt_line',
        message: `skipped line ${line} of the spool journal: ${reason}`,
        path: `${file}:${line}`,
      });
    }
    let compacted = JOURNAL_HEADER;
    for (const entry of contents.live.values()) {
      const line = addedLine(entry);
      const bytes = Buffer.byteLength(line);
      live.set(entry.id, bytes);
      liveBytes += bytes;
      compacted += line;
    }
    recovered = [...contents.live.values()];
    try {
      rewrite(compacted);
    } catch (error) {
      release();
      throw fail(`cannot write the journal ${file}`, error);
    }
    return { corruptLines: contents.corrupt.length, recoveredCount: recovered.length };
  }

  const { corruptLines, recoveredCount } = open();

  function compact() {
    writeAcks();
    const text = readFileSync(file, 'utf8');
    let compactedText = JOURNAL_HEADER;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (text.startsWith('A ', start)) {
        const space = text.indexOf(' ', start + 2);
        if (space !== -1 && space < end && live.has(text.slice(start + 2, space))) {
          compactedText += text.slice(start, end + 1);
        }
      }
      start = end + 1;
    }
    rewrite(compactedText);
  }

  function maybeCompact() {
    if (fileBytes > compactBytes && fileBytes > 2 * liveBytes) {
      try {
        compact();
      } catch (error) {
        failed('compact the journal', error);
      }
    }
  }

  function writeAcks() {
    if (ackTimer !== undefined) {
      clearTimeout(ackTimer);
      ackTimer = undefined;
    }
    if (acks === '') return;
    const text = acks;
    acks = '';
    writeSync(fd, text);
    fileBytes += Buffer.byteLength(text);
  }

  function flushAcks() {
    try {
      writeAcks();
    } catch (error) {
      failed('write acknowledgements', error);
      return;
    }
    maybeCompact();
  }

  function scheduleSync() {
    dirty = true;
    if (syncTimer !== undefined) return;
    syncTimer = setTimeout(() => {
      syncTimer = undefined;
      if (closed || !dirty) return;
      dirty = false;
      try {
        fdatasyncSync(fd);
      } catch (error) {
        failed('sync the journal to disk', error);
      }
    }, intervalMs);
    syncTimer.unref?.();
  }

  const store: Spool['store'] = {
    durable: true,
    load() {
      for (const warning of pendingWarnings.splice(0)) warn(warning);
      if (loaded) return [];
      loaded = true;
      const entries = recovered;
      recovered = [];
      return entries;
    },
    add(entry) {
      if (closed) throw new Error('the spool is closed');
      const line = addedLine(entry);
      // Every write goes through before track() returns: a crash right after cannot lose it.
      writeSync(fd, line);
      const bytes = Buffer.byteLength(line);
      fileBytes += bytes;
      live.set(entry.id, bytes);
      liveBytes += bytes;
      if (policy === 'always') fdatasyncSync(fd);
      else if (policy === 'interval') scheduleSync();
    },
    remove(id) {
      const bytes = live.get(id);
      if (bytes === undefined || closed) return;
      live.delete(id);
      liveBytes -= bytes;
      // Acknowledgements are batched: one lost in a crash only means a resend, which Kissmetrics
      // counts once (same _p, _n and _t).
      acks += settledLine(id);
      if (acks.length >= ACK_FLUSH_BYTES) flushAcks();
      else if (ackTimer === undefined) {
        ackTimer = setTimeout(flushAcks, ACK_FLUSH_MS);
        ackTimer.unref?.();
      }
    },
  };

  return {
    store,
    fits: (bytes) => liveBytes + bytes + SPOOL_RECORD_OVERHEAD <= maxBytes,
    sync() {
      if (!closed) flushAcks();
    },
    close() {
      if (closed) return;
      flushAcks();
      if (policy !== 'never') {
        try {
          fdatasyncSync(fd);
        } catch (error) {
          failed('sync the journal to disk', error);
        }
      }
      closed = true;
      if (syncTimer !== undefined) clearTimeout(syncTimer);
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
      release();
    },
    stats: () => ({
      dir,
      entries: live.size,
      bytes: liveBytes,
      fileBytes,
      compactions,
      corruptLines,
      recovered: recoveredCount,
    }),
  };
}
