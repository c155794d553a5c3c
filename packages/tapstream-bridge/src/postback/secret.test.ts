import { describe, expect, test } from 'vitest';
import { createSecretCheck } from './secret.js';

describe('createSecretCheck', () => {
  const check = createSecretCheck('s3cret-✓');

  test('accepts exactly the secret', () => {
    expect(check('s3cret-✓')).toBe(true);
  });

  test.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['a prefix', 's3cret'],
    ['longer', 's3cret-✓x'],
    ['one character off', 's3cret-✗'],
    ['another case', 'S3CRET-✓'],
    ['the secret padded with zero bytes', 's3cret-✓\u0000'],
  ])('refuses a secret that is %s', (_, given) => {
    expect(check(given)).toBe(false);
  });

  test('a given secret longer than the expected one is refused without reading past it', () => {
    expect(createSecretCheck('ab')('ab'.repeat(10_000))).toBe(false);
  });
});
