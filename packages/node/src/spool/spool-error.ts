/**
 * Why a spool could not be opened. Stable: match on these, not on messages.
 *
 * - `spool_locked`: another live process (or another client in this one) uses the directory.
 * - `spool_unavailable`: the directory cannot be created, read or written.
 */
export type KmSpoolErrorCode = 'spool_locked' | 'spool_unavailable';

/** Thrown by `createKissmetrics` when its `spool` cannot be used; nothing was queued. */
export class KmSpoolError extends Error {
  override readonly name = 'KmSpoolError';
  /** A stable machine-readable reason. */
  readonly code: KmSpoolErrorCode;
  /** The option at fault: `spool.dir`. */
  readonly path: string;

  constructor(
    code: KmSpoolErrorCode,
    path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
