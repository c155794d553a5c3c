/**
 * The Kissmetrics JS library did not load in time, so `identity()` cannot read `KM.i()`. Calls are
 * unaffected: they stay in `window._kmq` and run if the library loads later.
 */
export class KmLibraryError extends Error {
  override readonly name = 'KmLibraryError';
  /** Stable: match on this, not on the message. */
  readonly code = 'library_unavailable';
  /** The method that needed the library. */
  readonly path = 'identity';

  constructor(timeoutMs: number) {
    super(
      `the Kissmetrics library did not load within ${timeoutMs} ms (blocked by an ad-blocker or a Content-Security-Policy, or offline?): identity() cannot read KM.i(); raise identityTimeoutMs if the page is slow`,
    );
  }
}
