import { KmError, type KmErrorOptions } from '@kmkit/core';

/**
 * Why a spool could not be used. Stable: match on these, not on messages.
 *
 * - `spool_locked`: another running process (or another client in this one) uses the directory.
 * - `spool_unavailable`: the directory cannot be created, read or written.
 * - `spool_write_failed`: a request could not be written whole to the journal (`ENOSPC`, `EIO`:
 *   the `fs` error is the `cause`); the client refuses it with a `drop` (`spool_failed`).
 */
export type KmSpoolErrorCode = 'spool_locked' | 'spool_unavailable' | 'spool_write_failed';

/**
 * Thrown by `createKissmetrics` when its `spool` cannot be used (nothing was queued), and carried
 * by the `drop` of a request the spool could not write (`spool_write_failed`).
 */
export class KmSpoolError extends KmError<KmSpoolErrorCode> {
  constructor(code: KmSpoolErrorCode, path: string, message: string, options?: KmErrorOptions) {
    super(code, path, message, options);
    this.brand('KmSpoolError');
  }

  /** True for a {@link KmSpoolError}, also one made by another copy of `@kmkit/node`. */
  static override isInstance(error: unknown): error is KmSpoolError {
    return KmError.hasBrand(error, 'KmSpoolError');
  }
}
