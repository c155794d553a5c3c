import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store, StoredRequest } from '@kmkit/core';
import { addedLine, JOURNAL_HEADER, readJournal, settledLine } from './journal.js';
import { type JournalFile, openJournalFile, writeWhole } from './journal-file.js';
import { KmSpoolError } from './spool-error.js';
import { type SpoolFs, systemFs } from './spool-fs.js';
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
  /**
   * Resolves once every request added before the call is forced to disk (`fdatasync`), so a power
   * cut cannot lose it either: what a server awaits before answering 2xx. Callers in the same
   * event-loop turn share one sync (group commit). At once with `fsync: 'always'` (each add was
   * synced) and `'never'` (the user left it to the operating system).
   * @throws (rejects with) a {@link KmSpoolError} `spool_write_failed` when the sync fails.
   */
  whenSynced(): Promise<void>;
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
const ACK_FLUSH_MS = 50;
const ACK_FLUSH_BYTES = 64 * 1024;
const COMPACT_RETRY_MS = 5000;

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new KmSpoolError('spool_unavailable', name, `${name} must be a positive number`);
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unavailable(message: string, error: unknown): KmSpoolError {
  return new KmSpoolError('spool_unavailable', 'spool.dir', `${message}: ${messageOf(error)}`, {
    cause: error,
  });
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

/** The length of the part of `bytes` made of whole lines (up to its last newline). */
function wholeLinesLength(bytes: Uint8Array): number {
  return bytes.lastIndexOf(0x0a) + 1;
}

/**
 * Opens (or creates) a spool directory: takes its lock, reads the journal an earlier process left
 * (skipping damaged lines with a warning), compacts it, and returns the durable {@link Store} that
 * writes each request whole with `fs.writeSync` before `track()` returns (or throws
 * `spool_write_failed`, so the request is refused) and acknowledges settled ones.
 *
 * @param fs the file calls of the journal; tests pass one that fails like a full disk.
 * @throws {KmSpoolError} `spool_locked` when a running process uses the directory,
 * `spool_unavailable` when it cannot be created or written.
 */
export function openSpool(
  options: SpoolOptions,
  onWarning: (warning: SpoolWarning) => void,
  fs: SpoolFs = systemFs,
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
    throw unavailable(`cannot create the spool directory ${dir}`, error);
  }
  // Held (and verified) before the journal is read or written: nothing else rewrites it.
  const lock = acquireSpoolLock(dir);

  // id -> bytes of its A record, in the order added.
  const live = new Map<string, number>();
  let liveBytes = 0;
  let compactions = 0;
  let journal: JournalFile;
  let closed = false;
  let acks = '';
  // Set while acknowledgements cannot be written: retried on a timer, not on every settlement.
  let acksFailing = false;
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  let recovered: StoredRequest[] = [];
  let loaded = false;
  const pendingWarnings: SpoolWarning[] = [];

  function failed(action: string, error: unknown) {
    onWarning({
      code: 'spool_failed',
      message: `the spool failed to ${action} (${messageOf(error)}); delivery continues`,
      path: 'spool.dir',
      error,
    });
  }

  // Writes `text` as the whole journal, atomically: a temp file written whole and synced, then
  // renamed over it. On failure the journal is untouched.
  function rewrite(text: string): JournalFile {
    if (!lock.held()) {
      throw new Error(`this process no longer holds the lock of the spool (${dir}/lock changed)`);
    }
    const temp = `${file}.tmp`;
    try {
      const tempFd = fs.openSync(temp, 'w');
      try {
        writeWhole(fs, tempFd, Buffer.from(text));
        if (policy !== 'never') fs.fdatasyncSync(tempFd);
      } finally {
        fs.closeSync(tempFd);
      }
    } catch (error) {
      try {
        // Gives back the space a full disk needs.
        fs.unlinkSync(temp);
      } catch {
        // Never created.
      }
      throw error;
    }
    fs.renameSync(temp, file);
    if (policy !== 'never') syncDirectory(dir);
    compactions++;
    return openJournalFile(fs, file);
  }

  // Where the journal cannot be rewritten at start (a full disk): append to it as it is, cut back
  // to its last whole line, so the next record starts on a line of its own.
  function appendAsItIs(bytes: Uint8Array): JournalFile {
    if (bytes.byteLength === 0) {
      const opened = openJournalFile(fs, file);
      if (opened.size === 0) opened.append(JOURNAL_HEADER);
      return opened;
    }
    const whole = wholeLinesLength(bytes);
    if (whole < bytes.byteLength) {
      const fd = fs.openSync(file, 'r+');
      try {
        fs.ftruncateSync(fd, whole);
      } finally {
        fs.closeSync(fd);
      }
    }
    return openJournalFile(fs, file);
  }

  {
    let bytes: Uint8Array = new Uint8Array(0);
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        lock.release();
        throw unavailable(`cannot read the journal ${file}`, error);
      }
    }
    const contents = readJournal(Buffer.from(bytes).toString('utf8'));
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
      const size = Buffer.byteLength(line);
      live.set(entry.id, size);
      liveBytes += size;
      compacted += line;
    }
    recovered = [...contents.live.values()];
    try {
      journal = rewrite(compacted);
    } catch (error) {
      try {
        journal = appendAsItIs(bytes);
      } catch {
        lock.release();
        throw unavailable(`cannot write the journal ${file}`, error);
      }
      pendingWarnings.push({
        code: 'spool_failed',
        message: `the spool could not rewrite its journal at start (${messageOf(error)}); it appends to it as it is`,
        path: 'spool.dir',
        error,
      });
    }
  }
  const corruptLines = pendingWarnings.filter((item) => item.code === 'spool_corrupt_line').length;
  const recoveredCount = recovered.length;

  function compact() {
    writeAcks();
    const text = Buffer.from(fs.readFileSync(file)).toString('utf8');
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
    const next = rewrite(compactedText);
    journal.close();
    journal = next;
  }

  // After a failed compaction (a full disk), the next try waits: each reads the whole journal.
  let compactFailedAt: number | undefined;

  function maybeCompact() {
    if (journal.size <= compactBytes || journal.size <= 2 * liveBytes) return;
    const now = performance.now();
    if (compactFailedAt !== undefined && now - compactFailedAt < COMPACT_RETRY_MS) return;
    try {
      compact();
      compactFailedAt = undefined;
    } catch (error) {
      // One warning for a run of failures.
      if (compactFailedAt === undefined) failed('compact the journal', error);
      compactFailedAt = now;
    }
  }

  function writeAcks() {
    if (ackTimer !== undefined) {
      clearTimeout(ackTimer);
      ackTimer = undefined;
    }
    if (acks === '') return;
    // Kept when the write fails (the file is then as it was): retried later.
    journal.append(acks);
    acks = '';
    acksFailing = false;
  }

  function scheduleAcks(delayMs: number) {
    if (ackTimer !== undefined) return;
    ackTimer = setTimeout(flushAcks, delayMs);
    ackTimer.unref?.();
  }

  function flushAcks() {
    try {
      writeAcks();
    } catch (error) {
      if (!acksFailing) failed('write acknowledgements', error);
      acksFailing = true;
      if (!closed) scheduleAcks(intervalMs);
      return;
    }
    maybeCompact();
  }

  // Group commit: the waiters of one event-loop turn, released by one fdatasync after it.
  let syncWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  function groupSync() {
    const waiters = syncWaiters;
    syncWaiters = [];
    if (waiters.length === 0) return;
    try {
      journal.sync();
      dirty = false;
    } catch (error) {
      failed('sync the journal to disk', error);
      const refusal = new KmSpoolError(
        'spool_write_failed',
        'spool.dir',
        `the spool journal ${file} could not be forced to disk (${messageOf(error)})`,
        { cause: error },
      );
      for (const waiter of waiters) waiter.reject(refusal);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }

  function whenSynced(): Promise<void> {
    // After close() nothing more is added, and close() synced what was.
    if (policy !== 'interval' || closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      syncWaiters.push({ resolve, reject });
      if (syncWaiters.length === 1) setImmediate(groupSync);
    });
  }

  function scheduleSync() {
    dirty = true;
    if (syncTimer !== undefined) return;
    syncTimer = setTimeout(() => {
      syncTimer = undefined;
      if (closed || !dirty) return;
      dirty = false;
      try {
        journal.sync();
      } catch (error) {
        failed('sync the journal to disk', error);
      }
    }, intervalMs);
    syncTimer.unref?.();
  }

  const store: Spool['store'] = {
    durable: true,
    load() {
      for (const warning of pendingWarnings.splice(0)) onWarning(warning);
      if (loaded) return [];
      loaded = true;
      const entries = recovered;
      recovered = [];
      return entries;
    },
    add(entry) {
      if (closed) {
        throw new KmSpoolError('spool_write_failed', 'spool.dir', 'the spool is closed');
      }
      const line = addedLine(entry);
      // Whole, on file, before track() returns: a crash right after cannot lose it. Not whole:
      // refused, so that nothing the caller believes safe is only in memory.
      try {
        journal.append(line, policy === 'always');
      } catch (error) {
        throw new KmSpoolError(
          'spool_write_failed',
          'spool.dir',
          `the request could not be written whole to the spool journal ${file} (${messageOf(error)}): it was refused and nothing of it kept`,
          { cause: error },
        );
      }
      const size = Buffer.byteLength(line);
      live.set(entry.id, size);
      liveBytes += size;
      if (policy === 'interval') scheduleSync();
    },
    remove(id) {
      const size = live.get(id);
      if (size === undefined || closed) return;
      live.delete(id);
      liveBytes -= size;
      // Acknowledgements are batched: one lost in a crash only means a resend, which Kissmetrics
      // counts once (same _p, _n and _t).
      acks += settledLine(id);
      if (acks.length >= ACK_FLUSH_BYTES && !acksFailing) flushAcks();
      else scheduleAcks(ACK_FLUSH_MS);
    },
  };

  return {
    store,
    fits: (bytes) => liveBytes + bytes + SPOOL_RECORD_OVERHEAD <= maxBytes,
    sync() {
      if (!closed) flushAcks();
    },
    whenSynced,
    close() {
      if (closed) return;
      flushAcks();
      // Whoever waits for a sync gets it (or its failure) before the journal closes.
      if (syncWaiters.length > 0) groupSync();
      if (policy !== 'never') {
        try {
          journal.sync();
        } catch (error) {
          failed('sync the journal to disk', error);
        }
      }
      closed = true;
      if (syncTimer !== undefined) clearTimeout(syncTimer);
      if (ackTimer !== undefined) clearTimeout(ackTimer);
      try {
        journal.close();
      } catch {
        // Already closed.
      }
      lock.release();
    },
    stats: () => ({
      dir,
      entries: live.size,
      bytes: liveBytes,
      fileBytes: journal.size,
      compactions,
      corruptLines,
      recovered: recoveredCount,
    }),
  };
}
