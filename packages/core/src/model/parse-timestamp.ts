const NUMERIC = /^\d+(?:\.\d+)?$/;

/** Epoch numbers below this are seconds (it is March 5173 in seconds, March 1973 in milliseconds). */
export const SECONDS_THRESHOLD = 1e11;

// The largest time a Date can hold.
const MAX_MS = 8.64e15;

function daysInMonth(year: number, month: number): number {
  return month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31;
}

function fromEpochNumber(value: number): number | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const ms = value < SECONDS_THRESHOLD ? value * 1000 : value;
  return ms <= MAX_MS ? ms : undefined;
}

// Two or four ASCII digits at `at` as a number, or -1.
function digits(text: string, at: number, count: 2 | 4): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i) - 48;
    if (!(code >= 0 && code <= 9)) return -1;
    value = value * 10 + code;
  }
  return value;
}

/**
 * ISO 8601 as pipelines send it: `YYYY-MM-DD`, optionally `THH:mm`, `:ss`, a fraction (`.` or
 * `,`), and `Z` or an offset (`+01:00`, `+0100`, `+01`). Without an offset the time is read as
 * UTC, so the result never depends on the machine's time zone (Date.parse would read
 * "2024-01-01T10:00" as local time). A character scan: this runs once per event.
 */
function fromIsoString(text: string): number | undefined {
  const length = text.length;
  if (length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let at = 10;
  if (at < length) {
    const separator = text.charCodeAt(at);
    if (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32) return undefined;
    if (text.charCodeAt(at + 3) !== 58 /* : */) return undefined;
    hour = digits(text, at + 1, 2);
    minute = digits(text, at + 4, 2);
    at += 6;
    if (text.charCodeAt(at) === 58) {
      second = digits(text, at + 1, 2);
      at += 3;
      const mark = text.charCodeAt(at);
      if (mark === 46 /* . */ || mark === 44 /* , */) {
        let scale = 100;
        const start = ++at;
        while (at < length) {
          const code = text.charCodeAt(at) - 48;
          if (!(code >= 0 && code <= 9)) break;
          millisecond += code * scale;
          scale /= 10;
          at++;
        }
        if (at === start) return undefined;
        millisecond = Math.floor(millisecond);
      }
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return undefined;
    }
  }
  while (text.charCodeAt(at) === 32) at++;
  let offset = 0;
  if (at < length) {
    const zone = text.charCodeAt(at);
    if (zone === 90 /* Z */ || zone === 122 /* z */) {
      at++;
    } else if (zone === 43 /* + */ || zone === 45 /* - */) {
      const hours = digits(text, at + 1, 2);
      at += 3;
      let minutes = 0;
      if (at < length) {
        if (text.charCodeAt(at) === 58) at++;
        minutes = digits(text, at, 2);
        at += 2;
      }
      if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
      offset = (zone === 45 ? -1 : 1) * (hours * 60 + minutes) * 60_000;
    }
    if (at !== length) return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offset;
  return ms >= 0 && ms <= MAX_MS ? ms : undefined;
}

/**
 * Reads a spec timestamp as epoch milliseconds: an ISO 8601 string (UTC when it has no offset), a
 * `Date`, or an epoch number or numeric string (below 1e11 read as seconds, else milliseconds).
 * Returns `undefined` for anything else, for negative times and for times a `Date` cannot hold.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const first = value.charCodeAt(0);
    const text = first <= 32 || value.charCodeAt(value.length - 1) <= 32 ? value.trim() : value;
    // "2024-..." has a dash at 4; an epoch number in text has none.
    return text.charCodeAt(4) !== 45 && NUMERIC.test(text)
      ? fromEpochNumber(Number(text))
      : fromIsoString(text);
  }
  if (typeof value === 'number') return fromEpochNumber(value);
  const ms = dateMilliseconds(value);
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * The time of a `Date` (`NaN` for an Invalid Date), or `undefined` when `value` is not a real
 * `Date` (including an object that only inherits from `Date.prototype`, whose methods throw).
 */
export function dateMilliseconds(value: unknown): number | undefined {
  if (!(value instanceof Date)) return undefined;
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return undefined;
  }
}
