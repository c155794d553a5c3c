import { expect, test } from 'vitest';
import { seededRandom } from './seeded-random.js';

test('the same seed gives the same numbers, another seed others, all in [0, 1)', () => {
  const take = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));
  const first = take(42);
  expect(take(42)).toEqual(first);
  expect(take(43)).not.toEqual(first);
  expect(first.every((n) => n >= 0 && n < 1)).toBe(true);
  expect(new Set(first).size).toBeGreaterThan(990);
});
