import fc from 'fast-check';
import { expect, test } from 'vitest';
import { percentEncode } from './percent.js';

test('encodes exactly as encodeURIComponent for well-formed text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme-ascii' }), (a, b) => {
      expect(percentEncode(a)).toBe(encodeURIComponent(a));
      expect(percentEncode(b)).toBe(encodeURIComponent(b));
    }),
  );
});

test('leaves unreserved text as it is and encodes every reserved character', () => {
  expect(percentEncode("AZaz09-_.!~*'()")).toBe("AZaz09-_.!~*'()");
  expect(percentEncode('a+b/c==&x y%é')).toBe('a%2Bb%2Fc%3D%3D%26x%20y%25%C3%A9');
});

test('a lone surrogate arrives as U+FFFD instead of throwing', () => {
  expect(percentEncode('a\uD800')).toBe('a%EF%BF%BD');
});
