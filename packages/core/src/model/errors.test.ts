import { describe, expect, it } from 'vitest';
import { isKmValidationError, KmError, KmValidationError } from './errors.js';

describe('KmError', () => {
  it('carries its code, path, message and cause, and names its class', () => {
    const cause = new Error('disk');
    const error = new KmValidationError('invalid_option', 'apiKey', 'apiKey is required', {
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(KmError);
    expect(error.name).toBe('KmValidationError');
    expect(error.code).toBe('invalid_option');
    expect(error.path).toBe('apiKey');
    expect(error.message).toBe('apiKey is required');
    expect(error.cause).toBe(cause);
  });

  it('isInstance recognises an error made by another copy of the package, where instanceof fails', () => {
    // What a second copy of @kmkit/core (its CJS build beside the ESM one) would make: the same
    // registry-wide markers on an object of an unrelated class.
    class OtherCopyError extends Error {}
    const foreign = new OtherCopyError('x');
    Object.assign(foreign, { code: 'invalid_option', path: 'apiKey' });
    (foreign as unknown as Record<symbol, boolean>)[Symbol.for('@kmkit/error/KmError')] = true;
    (foreign as unknown as Record<symbol, boolean>)[Symbol.for('@kmkit/error/KmValidationError')] =
      true;
    expect(foreign instanceof KmValidationError).toBe(false);
    expect(KmValidationError.isInstance(foreign)).toBe(true);
    expect(KmError.isInstance(foreign)).toBe(true);
    expect(isKmValidationError(foreign)).toBe(true);
  });

  it('isInstance of a subclass refuses other kmkit errors and look-alikes', () => {
    const base = new KmError('spool_locked', 'spool.dir', 'in use');
    expect(KmError.isInstance(base)).toBe(true);
    expect(KmValidationError.isInstance(base)).toBe(false);
    const lookalike = Object.assign(new Error('x'), { name: 'KmValidationError', code: 'x' });
    expect(KmValidationError.isInstance(lookalike)).toBe(false);
    expect(KmError.isInstance(null)).toBe(false);
    expect(KmError.isInstance('KmValidationError')).toBe(false);
  });
});
