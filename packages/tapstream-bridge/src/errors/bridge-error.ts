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
 *   if (error instanceof KmBridgeError && error.code === 'lookup_failed') scheduleRetry();
 * }
 * ```
 */
export class KmBridgeError extends Error {
  override readonly name = 'KmBridgeError';
  /** A stable machine-readable reason. */
  readonly code: KmBridgeErrorCode;
  /** The option the failure concerns (`secret`, `endpoint`, `store`...). */
  readonly path: string;
  /** The HTTP status of the answer that decided the failure, when there was one. */
  readonly status?: number;

  constructor(
    code: KmBridgeErrorCode,
    path: string,
    message: string,
    options: { readonly status?: number; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = path;
    if (options.status !== undefined) this.status = options.status;
  }
}
