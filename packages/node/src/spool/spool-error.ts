import { KmError, type KmErrorOptions } from '@kmkit/core';

/**
 * Why a spool could not be opened. Stable: match on these, not on messages.
 *
 * - `spool_locked`: another live process (or another client in this one) uses the directory.
 * - `spool_unavailable`: the directory cannot be created, read or written.
 */
export type KmSpoolErrorCode = 'spool_locked' | 'spool_unavailable';

/** Thrown by `createKissmetrics` when its `spool` cannot be used; nothing was queued. */
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
