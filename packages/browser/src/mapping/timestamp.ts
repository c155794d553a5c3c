// ISO 8601 as pipelines send it: a date, optionally a time (to the minute, second or a fraction
// after "." or ","), then "Z" or an offset (+01:00, +0100, +01), or nothing (read as UTC).
const ISO =
  /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)? *(?:[Zz]|([+-])(\d\d)(?::?(\d\d))?)?$/;

// From 1970 to the largest time a Date holds.
const inRange = (ms: number) => (ms >= 0 && ms <= 8.64e15 ? ms : undefined);

/**
 * A spec timestamp as epoch milliseconds, read as `@kmkit/core` reads it: ISO 8601 text (UTC
 * without an offset), a `Date`, or epoch seconds (below 1e11) or milliseconds, also as text.
 * `undefined` for anything else, for impossible dates (2024-02-30) and for times before 1970.
 */
export function readTimestamp(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    if (!/^\d+(?:\.\d+)?$/.test(text)) {
      const m = ISO.exec(text);
      if (!m) return undefined;
      const [year, month, day, hours, minutes, seconds, , , offsetHours, offsetMinutes] = m
        .slice(1)
        .map((part) => +(part ?? 0)) as number[];
      const date = new Date(Date.UTC(year!, month! - 1, day!));
      // Date.UTC rolls over (February 30th is March 1st): such a date is refused.
      if (
        date.getUTCMonth() !== month! - 1 ||
        date.getUTCDate() !== day ||
        hours! > 23 ||
        minutes! > 59 ||
        seconds! > 59 ||
        offsetHours! > 23 ||
        offsetMinutes! > 59
      ) {
        return undefined;
      }
      return inRange(
        date.getTime() +
          ((hours! * 60 + minutes!) * 60 + seconds!) * 1000 +
          (m[7] ? Math.floor(+`0.${m[7]}` * 1000) : 0) -
          (m[8] === '-' ? -1 : 1) * (offsetHours! * 60 + offsetMinutes!) * 60_000,
      );
    }
    value = +text;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? inRange(value < 1e11 ? value * 1000 : value) : undefined;
  }
  try {
    return value instanceof Date ? inRange(value.getTime()) : undefined;
  } catch {
    // An object that only inherits from Date.prototype: its getTime throws.
    return undefined;
  }
}
