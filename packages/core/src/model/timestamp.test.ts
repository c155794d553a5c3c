import { expect, test } from 'vitest';
import { parseTimestamp } from './timestamp.js';

// Expected values worked out by hand: 2024-05-01T10:00:00Z is 1714557600 s.
const MS = 1714557600000;

test.each([
  ['2024-05-01T10:00:00Z', MS],
  ['2024-05-01T10:00:00.123Z', MS + 123],
  ['2024-05-01T10:00:00.1234567Z', MS + 123],
  ['2024-05-01T10:00:00,5Z', MS + 500],
  ['2024-05-01t10:00:00z', MS],
  ['2024-05-01 10:00:00Z', MS],
  ['2024-05-01T10:00Z', MS],
  ['2024-05-01T10:00:00', MS],
  ['2024-05-01', MS - 10 * 3600_000],
  ['2024-05-01T12:00:00+02:00', MS],
  ['2024-05-01T12:00:00+0200', MS],
  ['2024-05-01T12:00:00+02', MS],
  ['2024-05-01T05:00:00-05:00', MS],
  ['2024-05-01T10:00:00 Z', MS],
  ['  2024-05-01T10:00:00Z  ', MS],
  ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ['1714557600', MS],
  ['1714557600000', MS],
  ['1714557600.5', MS + 500],
])('reads %j', (text, expected) => {
  expect(parseTimestamp(text)).toBe(expected);
});

test.each([
  ['2023-02-29T00:00:00Z'],
  ['2024-13-01'],
  ['2024-05-01T24:00:00Z'],
  ['2024-05-01T10:60:00Z'],
  ['2024-05-01T10:00:60Z'],
  ['2024-05-01T10:00:00.Z'],
  ['2024-05-01T10'],
  ['2024-05-01T10:00:00Zjunk'],
  ['2024-05-01T10:00:00+2'],
  ['1969-12-31T23:59:59Z'],
  ['May 1, 2024'],
  ['Wed, 01 May 2024 10:00:00 GMT'],
  [''],
  ['-1714557600'],
])('refuses %j', (text) => {
  expect(parseTimestamp(text)).toBeUndefined();
});

test('numbers below 1e11 are seconds, others milliseconds', () => {
  expect(parseTimestamp(99_999_999_999)).toBe(99_999_999_999_000);
  expect(parseTimestamp(100_000_000_000)).toBe(100_000_000_000);
  expect(parseTimestamp(0)).toBe(0);
});

test('negative, non-finite and out-of-range numbers are not times', () => {
  for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, 9e15]) {
    expect(parseTimestamp(value)).toBeUndefined();
  }
});

test('a Date gives its time; an Invalid Date, or an object posing as a Date, none', () => {
  expect(parseTimestamp(new Date(MS))).toBe(MS);
  expect(parseTimestamp(new Date(Number.NaN))).toBeUndefined();
  expect(parseTimestamp(Object.create(Date.prototype))).toBeUndefined();
});
