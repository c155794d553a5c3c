/**
 * The Kissmetrics JS library did not load in time, so `identity()` cannot read `KM.i()`. Calls are
 * unaffected: they wait in `window._kmq` and run if the library loads later.
 */
export class KmLibraryError extends Error {
  // Assigned in the constructor: class fields would bring a helper into an ES2020 bundle.
  declare readonly name: 'KmLibraryError';
  /** Stable: match on this, not on the message. */
  declare readonly code: 'library_unavailable';
  /** The method that needed the library. */
  declare readonly path: 'identity';

  constructor(timeoutMs: number) {
    super(`the Kissmetrics JS did not load within ${timeoutMs} ms (blocked?)`);
    Object.assign(this, { name: 'KmLibraryError', code: 'library_unavailable', path: 'identity' });
  }
}
