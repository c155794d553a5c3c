import { KmValidationError } from './errors.js';

/**
 * Kissmetrics' length limits, counted in Unicode code points (a surrogate pair is one).
 * Names (event names, property names, identities) over `nameLength` are refused or dropped; values
 * over `valueLength` are truncated.
 */
export interface KmLimits {
  /** Longest event name, property name or identity, default 255. */
  readonly nameLength?: number;
  /** Longest property value, default 512 (Kissmetrics' current documented limit). */
  readonly valueLength?: number;
}

/** {@link KmLimits} with every field set. */
export type ResolvedKmLimits = Required<KmLimits>;

/** The limits Kissmetrics documents: names under 255 characters, values up to 512. */
export const DEFAULT_LIMITS: ResolvedKmLimits = Object.freeze({
  nameLength: 255,
  valueLength: 512,
});

function checkLimit(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new KmValidationError(
      'invalid_option',
      path,
      `${path} must be a positive whole number of characters, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * The limits to apply, with defaults filled in.
 *
 * @throws {KmValidationError} `invalid_option` when a limit is not a positive integer.
 */
export function resolveLimits(limits: KmLimits | undefined): ResolvedKmLimits {
  if (limits === undefined || limits === null) return DEFAULT_LIMITS;
  const { nameLength, valueLength } = limits;
  if (nameLength === undefined && valueLength === undefined) return DEFAULT_LIMITS;
  return {
    nameLength:
      nameLength === undefined
        ? DEFAULT_LIMITS.nameLength
        : checkLimit(nameLength, 'limits.nameLength'),
    valueLength:
      valueLength === undefined
        ? DEFAULT_LIMITS.valueLength
        : checkLimit(valueLength, 'limits.valueLength'),
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The number of code points in `text`; a lone surrogate counts as one. */
export function codePointLength(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      count--;
      i++;
    }
  }
  return count;
}

/** True when `text` has at most `limit` code points (cheap for short text). */
export function fitsCodePoints(text: string, limit: number): boolean {
  // A code point is one or two UTF-16 units, so the unit count bounds it from above.
  return text.length <= limit || codePointLength(text) <= limit;
}

/** The first `limit` code points of `text`, never splitting a surrogate pair. */
export function truncateCodePoints(text: string, limit: number): string {
  let points = 0;
  let i = 0;
  while (i < text.length && points < limit) {
    i += isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
    points++;
  }
  return i >= text.length ? text : text.slice(0, i);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

// ES2024 has native versions (Node 20+, current browsers); Node 18 falls back to the regex.
type WellFormedString = string & { isWellFormed?(): boolean; toWellFormed?(): string };
const nativeWellFormed = typeof (String.prototype as WellFormedString).isWellFormed;

/** True when `text` has no lone UTF-16 surrogate (so it encodes to UTF-8 and back unchanged). */
export const isWellFormedText: (text: string) => boolean =
  nativeWellFormed === 'function'
    ? (text) => (text as WellFormedString).isWellFormed!()
    : (text) => !LONE_SURROGATE.test(text);

/** `text` with every lone UTF-16 surrogate replaced by U+FFFD, as a UTF-8 encoder would. */
export const toWellFormedText: (text: string) => string =
  nativeWellFormed === 'function'
    ? (text) => (text as WellFormedString).toWellFormed!()
    : (text) => text.replace(LONE_SURROGATES, '\uFFFD');
