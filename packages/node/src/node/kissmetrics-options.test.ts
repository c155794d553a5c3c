import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createKissmetrics, KmValidationError } from '../index.js';

/** What `createKissmetrics(options)` threw, as `{ code, path, message }`. */
function refusal(options: unknown) {
  try {
    // Deliberately outside the declared type: this is what plain JavaScript callers can pass.
    const km = (createKissmetrics as (options: unknown) => { close(): Promise<unknown> })(options);
    void km.close();
  } catch (error) {
    expect(KmValidationError.isInstance(error)).toBe(true);
    const { code, path, message } = error as KmValidationError;
    return { code, path, message };
  }
  throw new Error('createKissmetrics accepted the options');
}

describe('createKissmetrics options', () => {
  test('no options object is invalid_option naming what to pass, not a TypeError', () => {
    expect(refusal(undefined)).toEqual({
      code: 'invalid_option',
      path: '',
      message: 'createKissmetrics takes an options object such as { apiKey, ... }, got undefined',
    });
    expect(refusal(null).path).toBe('');
    expect(refusal('my-api-key').message).toContain('got "my-api-key"');
  });

  test('an apiKey of the wrong type is named as such, not as missing', () => {
    expect(refusal({ apiKey: 12345 })).toEqual({
      code: 'invalid_option',
      path: 'apiKey',
      message: 'apiKey must be a string, got 12345',
    });
    expect(refusal({})).toMatchObject({
      path: 'apiKey',
      message: 'apiKey is required: pass a string',
    });
  });

  test('a misspelt option names the one it most likely meant', () => {
    expect(refusal({ apikey: 'k' })).toEqual({
      code: 'invalid_option',
      path: 'apikey',
      message: 'apikey is not an option of createKissmetrics: did you mean apiKey?',
    });
    expect(refusal({ apiKey: 'k', retries: 3 }).message).toBe(
      'retries is not an option of createKissmetrics: did you mean retry?',
    );
    expect(refusal({ apiKey: 'k', retry: { maxAtempts: 3 } })).toMatchObject({
      path: 'retry.maxAtempts',
      message:
        'retry.maxAtempts is not an option of createKissmetrics: did you mean retry.maxAttempts?',
    });
    expect(refusal({ apiKey: 'k', spool: { directory: '/tmp/x' } }).path).toBe('spool.directory');
  });

  test('an unknown preset is refused at creation, with the preset it most likely meant', () => {
    expect(refusal({ apiKey: 'k', preset: 'segmnet' })).toEqual({
      code: 'invalid_option',
      path: 'preset',
      message:
        'preset is "segmnet", not one of "default", "rudderstack", "segment": did you mean "segment"?',
    });
  });

  test('values of the wrong type are refused with their path', () => {
    expect(refusal({ apiKey: 'k', timeoutMs: '10s' })).toMatchObject({
      path: 'timeoutMs',
      message: 'timeoutMs must be a number, got "10s"',
    });
    expect(refusal({ apiKey: 'k', overflow: 'drop' }).path).toBe('overflow');
    expect(refusal({ apiKey: 'k', plugins: {} }).path).toBe('plugins');
    expect(refusal({ apiKey: 'k', spool: { dir: 3 } }).path).toBe('spool.dir');
    expect(refusal({ apiKey: 'k', spool: {} }).message).toBe(
      'spool.dir is required: pass a string',
    );
  });

  test('a refused option opens nothing: the spool directory stays empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-options-'));
    expect(refusal({ apiKey: 'k', spool: { dir }, concurency: 4 }).message).toContain(
      'did you mean concurrency?',
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  test('every documented option is accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-options-'));
    const km = createKissmetrics({
      apiKey: 'k',
      endpoint: 'https://trk.kissmetrics.io',
      preset: 'segment',
      prefixProperties: false,
      prefixSeparator: ' - ',
      aliasOnIdentify: true,
      trackNamedPages: true,
      trackCategorizedPages: true,
      recordPageView: false,
      limits: { nameLength: 255, valueLength: 512 },
      plugins: [],
      maxConcurrency: 64,
      timeoutMs: 10_000,
      retry: { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 30_000, maxAgeMs: 86_400_000 },
      maxQueueLength: 10_000,
      maxQueueBytes: 16 * 1024 * 1024,
      overflow: 'refuse',
      maxQueryBytes: 2048,
      spool: {
        dir,
        fsync: 'interval',
        fsyncIntervalMs: 1000,
        maxBytes: 1 << 24,
        compactBytes: 1 << 22,
      },
      keepAliveTimeoutMs: 30_000,
      waitUntil: () => {},
      scheduler: {},
    });
    await km.close({ timeoutMs: 10 });
  });
});
