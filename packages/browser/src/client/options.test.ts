// @vitest-environment happy-dom
import { KmValidationError } from '@kmkit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, resetPage } from '../../test/dom.js';
import { createKissmetrics as createDeviceClient } from '../device/index.js';
import { createKissmetrics, type InvalidCall } from '../index.js';

beforeEach(resetPage);

/** What creating the client threw, as `{ code, path, message }`. */
function refusal(create: () => unknown) {
  try {
    create();
  } catch (error) {
    expect(KmValidationError.isInstance(error)).toBe(true);
    const { code, path, message } = error as KmValidationError;
    return { code, path, message };
  }
  throw new Error('the options were accepted');
}

// Plain JavaScript callers can pass anything: the checks are for them.
const create = createKissmetrics as (options: unknown) => unknown;
const createDevice = createDeviceClient as (options: unknown) => unknown;

describe('options, in a development build', () => {
  it('a misspelt option names the one it most likely meant, in both modes and both entries', () => {
    expect(refusal(() => create({ apikey: API_KEY, mode: 'cloud' }))).toEqual({
      code: 'invalid_option',
      path: 'apikey',
      message: 'apikey is not an option of createKissmetrics: did you mean apiKey?',
    });
    expect(refusal(() => create({ apiKey: API_KEY, mode: 'device', nonse: 'n' })).message).toBe(
      'nonse is not an option of createKissmetrics: did you mean nonce?',
    );
    expect(refusal(() => createDevice({ apiKey: API_KEY, prefixProperty: true })).message).toBe(
      'prefixProperty is not an option of createKissmetrics: did you mean prefixProperties?',
    );
    expect(
      refusal(() => create({ apiKey: API_KEY, mode: 'cloud', retry: { maxAttempt: 3 } })).path,
    ).toBe('retry.maxAttempt');
  });

  it('an option of the other mode is refused: cloud options do nothing in device mode', () => {
    expect(
      refusal(() => createDevice({ apiKey: API_KEY, endpoint: 'https://x.test' })),
    ).toMatchObject({ path: 'endpoint' });
  });

  it('a value of the wrong type and an unknown preset are refused at creation', () => {
    expect(refusal(() => create({ apiKey: 12345, mode: 'cloud' }))).toMatchObject({
      path: 'apiKey',
      message: 'apiKey must be a string, got 12345',
    });
    expect(
      refusal(() => create({ apiKey: API_KEY, mode: 'device', preset: 'segmnet' })).message,
    ).toBe(
      'preset is "segmnet", not one of "default", "rudderstack", "segment": did you mean "segment"?',
    );
    expect(refusal(() => create({ apiKey: API_KEY, mode: 'cloud', concurrency: '4' })).path).toBe(
      'concurrency',
    );
  });

  it('every option of each mode is accepted', () => {
    expect(() =>
      createDevice({
        apiKey: API_KEY,
        mode: 'device',
        hosts: { library: 'i.kissmetrics.com' },
        nonce: 'n',
        identityTimeoutMs: 100,
        preset: 'segment',
        pageContext: false,
        limits: { nameLength: 255 },
      }),
    ).not.toThrow();
    expect(() =>
      create({
        apiKey: API_KEY,
        mode: 'cloud',
        endpoint: 'https://km.example.com',
        cors: true,
        maxQueryBytes: 2048,
        concurrency: 4,
        retry: { maxAttempts: 3 },
        maxQueueLength: 10,
        maxQueueBytes: 1024,
        overflow: 'drop-oldest',
        storage: null,
        autoEvents: { visitedSite: false },
      }),
    ).not.toThrow();
  });
});

describe('event names', () => {
  it('track(42) is refused as invalid_event_name, as everywhere in kmkit, never sent as "42"', () => {
    const km = createDeviceClient({ apiKey: API_KEY });
    const invalid: InvalidCall[] = [];
    km.on('invalid', (call) => invalid.push(call));
    km.track(42 as unknown as string);
    expect(invalid.map(({ call, error }) => [call, error.code, error.path])).toEqual([
      ['track', 'invalid_event_name', 'event'],
    ]);
  });
});
