/**
 * The Kissmetrics JS library did not load in time, so `identity()` cannot read `KM.i()`. Calls are
 * unaffected: they stay in `window._kmq` and run if the library loads later.
 */
export class KmLibraryError extends Error {
  // Assigned in the constructor (not as class fields), which bundlers targeting ES2020 would
  // otherwise rewrite with a helper.
  declare readonly name: 'KmLibraryError';
  /** Stable: match on this, not on the message. */
  declare readonly code: 'library_unavailable';
  /** The method that needed the library. */
  declare readonly path: 'identity';

  constructor(timeoutMs: number) {
    super(
      `the Kissmetrics library did not load within ${timeoutMs} ms (blocked by an ad-blocker or a Content-Security-Policy, or offline?): identity() cannot read KM.i(); raise identityTimeoutMs if the page is slow`,
    );
    Object.assign(this, { name: 'KmLibraryError', code: 'library_unavailable', path: 'identity' });
  }
}
