/** Epoch numbers below this are seconds (it is March 5173 in seconds, March 1973 in milliseconds). */
export const SECONDS_THRESHOLD = 1e11;

// ISO 8601 as pipelines send it: a date, optionally a time (to the minute, second or a fraction
// after "." or ","), then "Z" or an offset (+01:00, +0100, +01), or nothing (read as UTC).
const ISO =
  /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)? *(?:[Zz]|([+-])(\d\d)(?::?(\d\d))?)?$/;
const EPOCH = /^\d+(?:\.\d+)?$/;
// The largest time a Date can hold.
const MAX_MS = 8.64e15;

const inRange = (ms: number) => (ms >= 0 && ms <= MAX_MS ? ms : undefined);

// `count` ASCII digits of `text` at `at` as a number, NaN when one is not a digit.
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

// Milliseconds of a UTC time, or undefined when a field is out of range (2024-02-30, 24:00).
function utc(
  year: number,
  month: number,
  day: number,
  hours: number,
  minutes: number,
  seconds: number,
  ms: number,
  offsetMinutes: number,
): number | undefined {
  // Days in the month: 31 for odd months up to July and even ones from August, February by leap.
  const days =
    month === 2
      ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
        ? 29
        : 28
      : 30 + ((month + (month >> 3)) & 1);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= days && hours <= 23)) return undefined;
  if (!(minutes <= 59 && seconds <= 59 && ms >= 0)) return undefined;
  return inRange(
    Date.UTC(year, month - 1, day, hours, minutes, seconds, ms) - offsetMinutes * 60_000,
  );
}

function fromIso(text: string): number | undefined {
  // What toISOString() writes, and pipelines send: read without a regex.
  if (text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(10) === 84) {
    const at = (i: number, c: number) => text.charCodeAt(i) === c;
    if (at(4, 45) && at(7, 45) && at(13, 58) && at(16, 58) && at(19, 46)) {
      return utc(
        digits(text, 0, 4),
        digits(text, 5, 2),
        digits(text, 8, 2),
        digits(text, 11, 2),
        digits(text, 14, 2),
        digits(text, 17, 2),
        digits(text, 20, 3),
        0,
      );
    }
  }
  const m = ISO.exec(text);
  if (!m) return undefined;
  const oh = +(m[9] ?? 0);
  const om = +(m[10] ?? 0);
  if (oh > 23 || om > 59) return undefined;
  return utc(
    +m[1]!,
    +m[2]!,
    +m[3]!,
    +(m[4] ?? 0),
    +(m[5] ?? 0),
    +(m[6] ?? 0),
    m[7] === undefined ? 0 : Math.floor(+`0.${m[7]}` * 1000),
    (m[8] === '-' ? -1 : 1) * (oh * 60 + om),
  );
}

/**
 * Reads a spec timestamp as epoch milliseconds: an ISO 8601 string (UTC when it has no offset, so
 * the result never depends on the machine's time zone), a `Date`, or an epoch number or numeric
 * string (below 1e11 read as seconds, else milliseconds). `undefined` for anything else, for times
 * before 1970 and for times a `Date` cannot hold.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    if (!EPOCH.test(text)) return fromIso(text);
    value = +text;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? inRange(value < SECONDS_THRESHOLD ? value * 1000 : value)
      : undefined;
  }
  try {
    return value instanceof Date ? inRange(value.getTime()) : undefined;
  } catch {
    // An object that only inherits from Date.prototype: its getTime throws.
    return undefined;
  }
}
