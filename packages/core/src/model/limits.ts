import { DEV } from './development.js';
import { KmValidationError } from './errors.js';

/**
 * Kissmetrics' length limits, counted in Unicode code points (a surrogate pair is one). Names
 * (event names, property names, identities) over `nameLength` are refused or dropped; values over
 * `valueLength` are truncated.
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

function limit(value: number | undefined, key: keyof KmLimits): number {
  if (value === undefined) return DEFAULT_LIMITS[key];
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new KmValidationError(
    'invalid_option',
    `limits.${key}`,
    DEV ? `limits.${key} must be a positive whole number of characters, got ${String(value)}` : '',
  );
}

/**
 * The limits to apply, with defaults filled in.
 *
 * @throws {KmValidationError} `invalid_option` when a limit is not a positive integer.
 */
export function resolveLimits(limits: KmLimits | undefined): ResolvedKmLimits {
  if (limits == null || (limits.nameLength === undefined && limits.valueLength === undefined)) {
    return DEFAULT_LIMITS;
  }
  return {
    nameLength: limit(limits.nameLength, 'nameLength'),
    valueLength: limit(limits.valueLength, 'valueLength'),
  };
}

const isPair = (text: string, i: number) =>
  (text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;

/** The number of code points in `text`; a lone surrogate counts as one. */
export function codePointLength(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if (isPair(text, i)) {
      count--;
      i++;
    }
  }
  return count;
}

/** True when `text` has at most `max` code points (no scan for short text). */
export function fitsCodePoints(text: string, max: number): boolean {
  return text.length <= max || codePointLength(text) <= max;
}

/** The first `max` code points of `text`, never splitting a surrogate pair. */
export function truncateCodePoints(text: string, max: number): string {
  let i = 0;
  for (let points = 0; i < text.length && points < max; points++) i += isPair(text, i) ? 2 : 1;
  return text.slice(0, i);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `text` with every lone UTF-16 surrogate replaced by U+FFFD (as a UTF-8 encoder would), or
 * `undefined` when it has none, so the wire round trip is exact. Native in ES2024 (Node 20+).
 */
export function wellFormed(text: string): string | undefined {
  const native = text as string & { isWellFormed?(): boolean };
  if (native.isWellFormed ? native.isWellFormed() : !text.match(LONE_SURROGATE)) return undefined;
  return text.replace(LONE_SURROGATE, '\uFFFD');
}
