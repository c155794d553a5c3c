import type { SpoolFs } from '../src/spool/spool-fs.js';
import { systemFs } from '../src/spool/spool-fs.js';

/** An `fs` error as Node makes them. */
export function fsError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected failure, write`), { code, syscall: 'write' });
}

/** The knobs of {@link fullDiskFs}, changed while a test runs. */
export interface DiskState {
  /** Bytes the disk still takes: a write past them is cut short, then fails with ENOSPC. */
  free: number;
  /** When set, every write fails at once with this code (e.g. `EIO`). */
  failWith?: string;
  /** When set, cutting a file back fails with this code (a disk that errors on everything). */
  truncateFailsWith?: string;
  /** When set, `fdatasync` fails with this code. */
  syncFailsWith?: string;
}

/**
 * The real file system, except that writes see a disk with `state.free` bytes left: the write
 * that reaches the end is short (it writes what fits and returns that count), the next one throws
 * `ENOSPC`, as Linux does on a full filesystem. Truncating gives the space back.
 */
export function fullDiskFs(state: DiskState): SpoolFs {
  return {
    ...systemFs,
    writeSync(fd, buffer, offset, length) {
      if (state.failWith) throw fsError(state.failWith);
      if (state.free <= 0) throw fsError('ENOSPC');
      const count = Math.min(length, state.free);
      const written = systemFs.writeSync(fd, buffer, offset, count);
      state.free -= written;
      return written;
    },
    ftruncateSync(fd, length) {
      if (state.truncateFailsWith) throw fsError(state.truncateFailsWith);
      const before = systemFs.fstatSync(fd).size;
      systemFs.ftruncateSync(fd, length);
      state.free += Math.max(0, before - length);
    },
    fdatasyncSync(fd) {
      if (state.syncFailsWith) throw fsError(state.syncFailsWith);
      systemFs.fdatasyncSync(fd);
    },
  };
}
