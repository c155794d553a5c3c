import { describe, expect, test } from 'vitest';
import { isGenericIdentity } from './generic-identity.js';

describe('isGenericIdentity', () => {
  test.each([
    [''],
    ['   '],
    ['guest'],
    ['Guest'],
    [' ANONYMOUS '],
    ['null'],
    ['undefined'],
    ['NaN'],
    ['[object Object]'],
  ])('%j is a placeholder, not a person', (value) => {
    expect(isGenericIdentity(value)).toBe(true);
  });

  test.each([
    ['bob@example.com'],
    ['42'],
    ['5tyjk0zrrtnz5xdmcjzhso4bdyau='],
    ['guest-7'],
    ['nullable'],
  ])('%j is a person', (value) => {
    expect(isGenericIdentity(value)).toBe(false);
  });
});
