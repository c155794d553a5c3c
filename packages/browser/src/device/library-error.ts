import { KmError, type KmErrorOptions } from '@kmkit/core';

/**
 * The Kissmetrics JS library did not load in time, so `identity()` cannot read `KM.i()`. Calls are
 * unaffected: they wait in `window._kmq` and run if the library loads later.
 */
export class KmLibraryError extends KmError<'library_unavailable'> {
  constructor(
    code: 'library_unavailable',
    path: string,
    message: string,
    options?: KmErrorOptions,
  ) {
    super(code, path, message, options);
    this.brand('KmLibraryError');
  }

  /** True for a {@link KmLibraryError}, also one made by another copy of `@kmkit/browser`. */
  static override isInstance(error: unknown): error is KmLibraryError {
    return KmError.hasBrand(error, 'KmLibraryError');
  }
}
