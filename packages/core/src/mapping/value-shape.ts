import { dateMilliseconds } from '../model/parse-timestamp.js';

/** Returned by {@link resolveObject} for an object that has no Kissmetrics form. */
export const UNSUPPORTED: unique symbol = Symbol('unsupported');

let unsupportedReason = '';

/** Why the last {@link resolveObject} call returned {@link UNSUPPORTED}. */
export function lastUnsupportedReason(): string {
  return unsupportedReason;
}

function unsupported(reason: string): typeof UNSUPPORTED {
  unsupportedReason = reason;
  return UNSUPPORTED;
}

/** `Array.isArray`, false for a revoked proxy (on which it throws). */
export function isArray(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** True for `{}`-like objects: prototype `Object.prototype` or `null`. May throw on a proxy. */
export function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** `Map`, `Foo`, ... for messages about an object that has no fields to send. */
export function className(value: object): string {
  try {
    return Object.prototype.toString.call(value).slice(8, -1);
  } catch {
    return 'Object';
  }
}

function once(value: object, key: string, allowToJson: boolean): unknown {
  const ms = dateMilliseconds(value);
  if (ms !== undefined) {
    return Number.isFinite(ms)
      ? new Date(ms).toISOString()
      : unsupported('an Invalid Date has no value to send');
  }
  if (
    value instanceof String ||
    value instanceof Number ||
    value instanceof Boolean ||
    value instanceof BigInt ||
    value instanceof Symbol
  ) {
    return value.valueOf();
  }
  if (ArrayBuffer.isView(value)) {
    return value instanceof DataView
      ? unsupported('a DataView has no value to send: convert it to an array of numbers')
      : Array.from(value as unknown as ArrayLike<unknown>);
  }
  if (allowToJson) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    // Libraries' value types (decimals, date-times) say how they serialise through toJSON.
    if (typeof toJSON === 'function') return toJSON.call(value, key);
  }
  return value;
}

/**
 * What a non-array object stands for, the way `JSON.stringify` reads it: a plain object or a class
 * instance as itself (its own enumerable fields), a `Date` as its ISO string, a boxed primitive as
 * the primitive, a typed array as an array, an object with `toJSON` as its result. Returns
 * {@link UNSUPPORTED} for an Invalid Date, a `DataView`, or when a getter, proxy or `toJSON`
 * throws (user code must not break the mapping).
 */
export function resolveObject(value: object, key: string): unknown {
  try {
    if (isPlainObject(value)) {
      // JSON.stringify honours toJSON on any object; a plain object rarely has one.
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON !== 'function') return value;
      const result = toJSON.call(value, key);
      return typeof result === 'object' && result !== null && !Array.isArray(result)
        ? once(result, key, false)
        : result;
    }
    const first = once(value, key, true);
    if (first === value || typeof first !== 'object' || first === null || Array.isArray(first)) {
      return first;
    }
    if (isPlainObject(first)) return first;
    return once(first, key, false);
  } catch (error) {
    return unsupported(`reading it threw (${errorText(error)})`);
  }
}

/** The message of something thrown by user code, without ever throwing itself. */
export function errorText(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : typeof error;
  } catch {
    return 'an error';
  }
}
