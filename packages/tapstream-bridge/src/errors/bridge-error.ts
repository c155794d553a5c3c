import { KmError, type KmErrorOptions } from '@kmkit/core';

/**
 * Why a bridge operation failed at run time (bad input is a `KmValidationError` instead).
 *
 * - `lookup_rejected`: Tapstream answered the timeline lookup with a final status (403: wrong
 *   secret or not a paid account; 400: bad event session). Retrying will not help.
 * - `lookup_failed`: the last lookup attempt failed (network, timeout, 5xx, unreadable answer).
 *   Try again later, e.g. on the next launch.
 * - `alias_not_delivered`: Kissmetrics did not acknowledge the alias within the retry policy. It
 *   was not remembered, so the next call sends it again.
 * - `store_failed`: the alias store could not be read or written.
 */
export type KmBridgeErrorCode =
  | 'lookup_rejected'
  | 'lookup_failed'
  | 'alias_not_delivered'
  | 'store_failed';

/**
 * Thrown (as a rejection) by `lookupTimeline` and `aliasOnboardedUser` when the network or a store
 * let them down. `code` is stable; `status` is the HTTP status when there was one.
 *
 * @example
 * ```ts
 * try { await lookupTimeline({ secret, eventSession }); }
 * catch (error) {
 *   if (KmBridgeError.isInstance(error) && error.code === 'lookup_failed') scheduleRetry();
 * }
 * ```
 */
export class KmBridgeError extends KmError<KmBridgeErrorCode> {
  /** The HTTP status of the answer that decided the failure, when there was one. */
  declare readonly status?: number;

  constructor(
    code: KmBridgeErrorCode,
    path: string,
    message: string,
    options: KmBridgeErrorOptions = {},
  ) {
    super(code, path, message, options);
    this.brand('KmBridgeError');
    if (options.status !== undefined) (this as { status?: number }).status = options.status;
  }

  /** True for a {@link KmBridgeError}, also one made by another copy of the bridge. */
  static override isInstance(error: unknown): error is KmBridgeError {
    return KmError.hasBrand(error, 'KmBridgeError');
  }
}

/** Options of a {@link KmBridgeError}: the cause, and the HTTP status when there was one. */
export interface KmBridgeErrorOptions extends KmErrorOptions {
  readonly status?: number;
}
