import { KmValidationError } from '@kmkit/core';
import { describe, expect, test } from 'vitest';
import { createTapstreamForwarder } from './create-tapstream-forwarder.js';

/** What `createTapstreamForwarder(options)` threw, as `{ code, path, message }`. */
function refusal(options: unknown) {
  try {
    // Outside the declared type on purpose: what plain JavaScript callers can pass.
    void (createTapstreamForwarder as (options: unknown) => { close(): Promise<unknown> })(
      options,
    ).close();
  } catch (error) {
    expect(KmValidationError.isInstance(error)).toBe(true);
    const { code, path, message } = error as KmValidationError;
    return { code, path, message };
  }
  throw new Error('createTapstreamForwarder accepted the options');
}

const SECRET = 'postback-secret-0123456789';

describe('createTapstreamForwarder options', () => {
  test('a misspelt option of the forwarder names the one it most likely meant', () => {
    expect(refusal({ apiKey: 'k', secret: SECRET, identityfield: 'km_id' })).toEqual({
      code: 'invalid_option',
      path: 'identityfield',
      message:
        'identityfield is not an option of createTapstreamForwarder: did you mean identityField?',
    });
    // The typo, not "secret is required", is what the reader needs to hear.
    expect(refusal({ apiKey: 'k', secrte: SECRET }).message).toContain('did you mean secret?');
  });

  test("a misspelt option of the forwarder's client is caught too, before the client is made", () => {
    expect(refusal({ apiKey: 'k', secret: SECRET, retries: 3 })).toMatchObject({
      path: 'retries',
      message: 'retries is not an option of createTapstreamForwarder: did you mean retry?',
    });
  });

  test("the client's option values are checked by the client, with their path", () => {
    expect(refusal({ apiKey: 12345, secret: SECRET })).toMatchObject({
      path: 'apiKey',
      message: 'apiKey must be a string, got 12345',
    });
    expect(refusal({ apiKey: 'k', secret: SECRET, preset: 'segmnet' }).message).toContain(
      'did you mean "segment"?',
    );
  });

  test('the kinds of its own options are checked', () => {
    expect(refusal({ apiKey: 'k', secret: 42 })).toMatchObject({
      path: 'secret',
      message: 'secret must be a string, got 42',
    });
    expect(refusal({ apiKey: 'k', secret: SECRET, properties: { a: 1 } }).path).toBe('properties');
    expect(refusal(undefined)).toMatchObject({ path: '' });
  });
});
