import { describe, expect, test } from 'vitest';
import { MAPPING_PRESET_NAMES } from '../mapping/mapping-options.js';
import { MAPPING_PRESETS } from '../mapping/profile.js';
import { KmValidationError } from '../model/errors.js';
import { checkOptions, type OptionsSpec } from './check-options.js';
import { closestName } from './closest-name.js';

const SPEC: OptionsSpec = {
  apiKey: 'string!',
  endpoint: 'string',
  preset: ['default', 'rudderstack', 'segment'],
  eventName: 'string | function',
  storage: 'object | null',
  plugins: 'array',
  dispatcher: 'any',
  retry: { maxAttempts: 'number', baseDelayMs: 'number' },
};

/** The error `checkOptions` throws for these options, as `{ code, path, message }`. */
function refusal(options: unknown) {
  try {
    checkOptions(options, SPEC, 'createThing');
  } catch (error) {
    expect(KmValidationError.isInstance(error)).toBe(true);
    const { code, path, message } = error as KmValidationError;
    return { code, path, message };
  }
  throw new Error('the options were accepted');
}

describe('checkOptions', () => {
  test('accepts options that follow every rule, and absent optional ones', () => {
    expect(() => checkOptions({ apiKey: 'k' }, SPEC, 'createThing')).not.toThrow();
    expect(() =>
      checkOptions(
        {
          apiKey: 'k',
          endpoint: 'https://example.com',
          preset: 'segment',
          eventName: () => 'x',
          storage: null,
          plugins: [],
          dispatcher: 42,
          retry: { maxAttempts: 3 },
        },
        SPEC,
        'createThing',
      ),
    ).not.toThrow();
  });

  test('refuses a missing options object, naming the required options', () => {
    expect(refusal(undefined)).toEqual({
      code: 'invalid_option',
      path: '',
      message: 'createThing takes an options object such as { apiKey, ... }, got undefined',
    });
    expect(refusal('k').message).toContain('got "k"');
    expect(refusal([]).message).toContain('got an array');
  });

  test('refuses an unknown name with the option it most likely meant', () => {
    expect(refusal({ apikey: 'k' })).toEqual({
      code: 'invalid_option',
      path: 'apikey',
      message: 'apikey is not an option of createThing: did you mean apiKey?',
    });
    expect(refusal({ apiKey: 'k', retries: 3 }).message).toBe(
      'retries is not an option of createThing: did you mean retry?',
    );
    expect(refusal({ apiKey: 'k', endPoint: 'x' }).path).toBe('endPoint');
  });

  test('lists the options when no name is close to an unknown one', () => {
    expect(refusal({ apiKey: 'k', colour: 'red' }).message).toBe(
      'colour is not an option of createThing: the options are apiKey, endpoint, preset, eventName, storage, plugins, dispatcher, retry',
    );
  });

  test('reports an unknown name before a missing required option', () => {
    // The typo is the cause: "apiKey is required" would send the reader the wrong way.
    expect(refusal({ apikey: 'k' }).path).toBe('apikey');
  });

  test('refuses a missing or blank required option, and one of the wrong kind', () => {
    expect(refusal({})).toMatchObject({
      path: 'apiKey',
      message: 'apiKey is required: pass a string',
    });
    expect(refusal({ apiKey: '  ' }).message).toBe('apiKey must not be blank, got "  "');
    expect(refusal({ apiKey: 12345 })).toMatchObject({
      path: 'apiKey',
      message: 'apiKey must be a string, got 12345',
    });
  });

  test('refuses a value of another kind, naming every kind allowed', () => {
    expect(refusal({ apiKey: 'k', endpoint: null }).message).toBe(
      'endpoint must be a string, got null',
    );
    expect(refusal({ apiKey: 'k', eventName: 3 }).message).toBe(
      'eventName must be a string or a function, got 3',
    );
    expect(refusal({ apiKey: 'k', storage: 'local' }).message).toBe(
      'storage must be an object or null, got "local"',
    );
    expect(refusal({ apiKey: 'k', plugins: {} }).message).toBe(
      'plugins must be an array, got an object',
    );
  });

  test('refuses a value outside a list, suggesting the closest one', () => {
    expect(refusal({ apiKey: 'k', preset: 'segmnet' })).toEqual({
      code: 'invalid_option',
      path: 'preset',
      message:
        'preset is "segmnet", not one of "default", "rudderstack", "segment": did you mean "segment"?',
    });
    expect(refusal({ apiKey: 'k', preset: 'Segment' }).message).toContain(
      'did you mean "segment"?',
    );
    expect(refusal({ apiKey: 'k', preset: 2 }).message).toBe(
      'preset is 2, not one of "default", "rudderstack", "segment"',
    );
  });

  test('checks nested options with their full path', () => {
    expect(refusal({ apiKey: 'k', retry: 3 })).toMatchObject({
      path: 'retry',
      message: 'retry must be an object, got 3',
    });
    expect(refusal({ apiKey: 'k', retry: { maxAttempt: 3 } })).toMatchObject({
      path: 'retry.maxAttempt',
      message: 'retry.maxAttempt is not an option of createThing: did you mean retry.maxAttempts?',
    });
    expect(refusal({ apiKey: 'k', retry: { maxAttempts: '3' } })).toMatchObject({
      path: 'retry.maxAttempts',
      message: 'retry.maxAttempts must be a number, got "3"',
    });
    expect(refusal({ apiKey: 'k', retry: { jitter: true } }).message).toBe(
      'retry.jitter is not an option of createThing: the options of retry are maxAttempts, baseDelayMs',
    );
  });

  test('treats inherited and prototype names as unknown, never as options', () => {
    expect(refusal(JSON.parse('{"apiKey":"k","__proto__":{"x":1}}')).path).toBe('__proto__');
    expect(refusal({ apiKey: 'k', toString: 'x' }).path).toBe('toString');
  });
});

describe('closestName', () => {
  test('finds a name typed in another case, with a typo, or close to it', () => {
    const names = ['apiKey', 'endpoint', 'retry', 'maxQueueLength', 'concurrency'];
    expect(closestName('apikey', names)).toBe('apiKey');
    expect(closestName('api_key', names)).toBe('apiKey');
    expect(closestName('concurency', names)).toBe('concurrency');
    expect(closestName('retries', names)).toBe('retry');
    expect(closestName('maxQueueLenght', names)).toBe('maxQueueLength');
  });

  test('suggests nothing for a name far from every candidate', () => {
    expect(closestName('colour', ['apiKey', 'endpoint', 'retry'])).toBeUndefined();
    expect(closestName('x', ['apiKey'])).toBeUndefined();
  });
});

describe('the shared option rules', () => {
  test('the preset rule lists exactly the presets the mapping has', () => {
    expect([...MAPPING_PRESET_NAMES].sort()).toEqual(Object.keys(MAPPING_PRESETS).sort());
  });
});
