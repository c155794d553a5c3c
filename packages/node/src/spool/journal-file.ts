import type { SpoolFs } from './spool-fs.js';

/**
 * The open journal: appends records whole or not at all. `write()` may write fewer bytes than
 * asked (a disk that fills mid-record); what it wrote is completed by the next call, and when a
 * record cannot be finished the file is cut back to its size before the record (`ftruncate`), so
 * the next record never starts inside a partial one.
 */
export interface JournalFile {
  /** The file's size: every byte in it belongs to a whole record. */
  readonly size: number;
  /**
   * Appends `text` whole, and forces it to disk first when `sync` is set.
   * @throws the file system's error (`ENOSPC`, `EIO`...) when it could not; the file is then as
   * it was before the call.
   */
  append(text: string, sync?: boolean): void;
  /** Forces what was written to disk. */
  sync(): void;
  close(): void;
}

/** A write that made no progress, which `writeSync` may report instead of throwing. */
function noProgress(written: number, length: number): Error {
  return Object.assign(new Error(`short write: ${written} of ${length} bytes, then none`), {
    code: 'EIO',
  });
}

/** Writes all of `bytes` at the file position (or the end, with `'a'`), or throws. */
export function writeWhole(fs: SpoolFs, fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.byteLength) {
    const count = fs.writeSync(fd, bytes, written, bytes.byteLength - written);
    if (!(count > 0)) throw noProgress(written, bytes.byteLength);
    written += count;
  }
}

/** Opens `path` for appending; `size` is its length, all of it whole records. */
export function openJournalFile(fs: SpoolFs, path: string): JournalFile {
  const fd = fs.openSync(path, 'a');
  let size = fs.fstatSync(fd).size;
  // A cut-back that failed (an EIO): repaired before the next record is written.
  let torn = false;

  return {
    get size() {
      return size;
    },
    append(text, sync = false) {
      if (torn) {
        fs.ftruncateSync(fd, size);
        torn = false;
      }
      const bytes = Buffer.from(text);
      try {
        writeWhole(fs, fd, bytes);
        if (sync) fs.fdatasyncSync(fd);
      } catch (error) {
        try {
          fs.ftruncateSync(fd, size);
        } catch {
          torn = true;
        }
        throw error;
      }
      size += bytes.byteLength;
    },
    sync: () => fs.fdatasyncSync(fd),
    close: () => fs.closeSync(fd),
  };
}
