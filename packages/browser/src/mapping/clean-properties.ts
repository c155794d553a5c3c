import type { KmValue, KmWarning, KmWarningCode } from '@kmkit/core';
import { CONTROL_PARAMETERS } from '@kmkit/core';
import { DEV, terse } from '@kmkit/core/internal';

/** What the cleaning of one event shares between its commands: the limits and the warnings. */
export interface Cleaning {
  readonly nameLength: number;
  readonly valueLength: number;
  readonly warnings: KmWarning[];
}

// One sentence per code, in development builds only (production messages are `code (path)`).
const SENTENCES: Partial<Record<KmWarningCode, string>> = DEV
  ? {
      invalid_field: 'a field of the wrong type was ignored',
      invalid_timestamp: 'not a time: the next source (or the clock) was used',
      unsupported_value: 'a value with nothing to send (or that threw when read) was dropped',
      non_finite_number: 'NaN or an infinity was dropped: send a finite number',
      circular_reference: 'a reference back to an enclosing object was cut',
      reserved_key: 'a Kissmetrics control parameter would change the request: dropped; rename it',
      key_collision: 'the same Kissmetrics property as an earlier name: the later value was kept',
      name_too_long: "the name is over Kissmetrics' limit: dropped",
      value_truncated: "the value is over Kissmetrics' limit: it was cut to it",
      malformed_string: 'a lone UTF-16 surrogate was replaced by U+FFFD',
      invalid_revenue: 'not an amount, so no Billing Amount was sent',
      invalid_products: 'products is not an array: no product rows were sent',
      invalid_product: 'a product that is not an object was skipped',
      empty_name: 'a property without a name was dropped',
    }
  : {};

/** Adds a warning. Returns nothing, so that `return warn(...)` reads as "drop the value". */
export function warn(cleaning: Cleaning, code: KmWarningCode, path: string): undefined {
  cleaning.warnings.push({
    code,
    path,
    message: (DEV && SENTENCES[code] && `${path}: ${SENTENCES[code]}`) || terse(code, path),
  });
}

/** True for a finite number (as `Number.isFinite`: no coercion). */
export const finite: (value: unknown) => boolean = Number.isFinite;

/** The code points of `text` (a lone surrogate is one each). */
export const codePoints = (text: string): string[] => [...text];

/** True when `text` is over the name limit (in code points). */
export const overNameLimit = (cleaning: Cleaning, text: string): boolean =>
  codePoints(text).length > cleaning.nameLength;

/** `text` with each lone UTF-16 surrogate as U+FFFD (in a `u` regex a pair is one code point). */
export const toWellFormed = (text: string): string => text.replace(/\p{Cs}/gu, '\uFFFD');

/** {@link toWellFormed}, reported at `path` when there was a lone surrogate. */
export function wellFormed(cleaning: Cleaning, text: string, path: string): string {
  const fixed = toWellFormed(text);
  if (fixed !== text) warn(cleaning, 'malformed_string', path);
  return fixed;
}

/** A text value, well formed and within the value limit. */
export function cleanText(cleaning: Cleaning, value: string, path: string): string {
  const points = codePoints(wellFormed(cleaning, value, path));
  if (points.length > cleaning.valueLength) warn(cleaning, 'value_truncated', path);
  return points.slice(0, cleaning.valueLength).join('');
}

/** The cleaned properties of one command, and the lower-cased names Kissmetrics compares. */
export interface Row {
  readonly values: Record<string, KmValue>;
  readonly folded: Map<string, string>;
  readonly cleaning: Cleaning;
}

/** A new, empty row. */
export const newRow = (cleaning: Cleaning): Row => ({ values: {}, folded: new Map(), cleaning });

/**
 * Writes `value` under the name Kissmetrics gets for `name` (`,` and `:` as spaces, as Kissmetrics
 * does), unless it cannot be sent (over the limit, empty, a control parameter: a warning). An
 * earlier name Kissmetrics takes for the same (case aside) gives way. `value` is made only once
 * the name is good, so a dropped name reports nothing of its value.
 */
export function write(row: Row, name: string, path: string, value: () => KmValue): undefined {
  const { cleaning, values, folded } = row;
  const fixed = wellFormed(cleaning, name.replace(/[,:]/g, ' '), path);
  const problem: KmWarningCode | '' = overNameLimit(cleaning, fixed)
    ? 'name_too_long'
    : fixed
      ? CONTROL_PARAMETERS.has(fixed)
        ? 'reserved_key'
        : ''
      : 'empty_name';
  if (problem) return warn(cleaning, problem, path);
  const made = value();
  const key = fixed.toLowerCase();
  const previous = folded.get(key);
  if (previous !== undefined) {
    warn(cleaning, 'key_collision', path);
    delete values[previous];
  }
  folded.set(key, fixed);
  // A data property, so `__proto__` is an ordinary name.
  Object.defineProperty(values, fixed, {
    value: made,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Top-level changes to a row: `skip` left out, `key` (a revenue) with `value` under `prefix`. */
export interface Change {
  readonly skip?: string;
  readonly key?: string;
  readonly value?: unknown;
  readonly prefix?: string;
}

/**
 * Cleans `source` into `row` as `@kmkit/core`'s mapping does: nested objects flattened with `.`,
 * arrays of primitives joined with `,`, arrays holding objects as JSON text, `null` and `undefined`
 * left out, and what cannot be sent dropped with a warning naming its path. `ancestors` are the
 * enclosing objects (cycles).
 */
export function flatten(
  row: Row,
  source: object,
  prefix: string,
  path: string,
  ancestors: Set<object> = new Set(),
  change?: Change,
): void {
  try {
    ancestors.add(source);
    for (const key of Object.keys(source)) {
      const at = `${path}.${key}`;
      try {
        if (key === change?.skip) continue;
        const replaced = key === change?.key;
        put(
          row,
          ((replaced && change.prefix) || prefix) + key,
          at,
          key,
          replaced ? change.value : (source as Record<string, unknown>)[key],
          ancestors,
        );
      } catch {
        warn(row.cleaning, 'unsupported_value', at);
      }
    }
    ancestors.delete(source);
  } catch {
    // The keys themselves could not be read (a proxy).
    warn(row.cleaning, 'unsupported_value', path);
  }
}

// Writes one value under `name`, walking into objects. An object is read as `JSON.stringify`
// reads it: `toJSON` first (a Date gives its ISO text), a boxed primitive as the primitive, a
// typed array as an array. Depth is bounded: names grow with it, and nothing is read below the
// name limit.
function put(
  row: Row,
  name: string,
  path: string,
  key: string,
  value: unknown,
  ancestors: Set<object>,
): undefined {
  const { cleaning } = row;
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || (type === 'number' && !finite(value as number)))
    return warn(cleaning, type === 'number' ? 'non_finite_number' : 'unsupported_value', path);
  if (type !== 'object') {
    if (value !== undefined) {
      write(row, name, path, () =>
        type === 'bigint' || type === 'string'
          ? cleanText(cleaning, String(value), path)
          : (value as KmValue),
      );
    }
    return;
  }
  let object = value as object | null;
  if (!object) return;
  if (ArrayBuffer.isView(object) && !(object instanceof DataView))
    object = Array.from(object as unknown as ArrayLike<number>);
  if (Array.isArray(object)) return array(row, name, path, object, ancestors);
  if (object instanceof Date && Number.isNaN(object.getTime()))
    return warn(cleaning, 'unsupported_value', path);
  const { toJSON, valueOf: read } = object as { toJSON?: unknown; valueOf?: unknown };
  const primitive =
    typeof toJSON === 'function'
      ? toJSON.call(object, key)
      : typeof read === 'function'
        ? read.call(object)
        : object;
  if (primitive !== object) return put(row, name, path, key, primitive, ancestors);
  if (!Object.keys(object).length) {
    // An empty object is no data; a Map or a class without fields is data we cannot read.
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto) warn(cleaning, 'unsupported_value', path);
  } else if (ancestors.has(object)) {
    warn(cleaning, 'circular_reference', path);
  } else if (codePoints(name).length >= cleaning.nameLength) {
    // Every name below is longer than this one.
    warn(cleaning, 'name_too_long', path);
  } else {
    flatten(row, object, `${name}.`, path, ancestors);
  }
}

const isData = (item: unknown) =>
  typeof item === 'object' ? item !== null : typeof item === 'function' || typeof item === 'symbol';

// Arrays of primitives are joined with `,` (as `join` does); arrays holding objects become JSON.
function array(
  row: Row,
  name: string,
  path: string,
  items: readonly unknown[],
  ancestors: Set<object>,
): undefined {
  const { cleaning } = row;
  if (!items.length) return;
  write(row, name, path, () => {
    let text = '';
    if (items.some(isData)) {
      text = jsonText(items, cleaning, path, ancestors);
    } else {
      // Past this many UTF-16 units the text is surely over the value limit: stop building it.
      for (let i = 0; i < items.length && text.length <= 2 * cleaning.valueLength + 2; i++) {
        const item = items[i];
        if (i) text += ',';
        if (typeof item === 'number' && !finite(item)) {
          warn(cleaning, 'non_finite_number', `${path}[${i}]`);
        } else if (item != null) {
          text += item as string;
        }
      }
    }
    return cleanText(cleaning, text, path);
  });
}

// JSON text of an array holding objects: bigints as decimal text; cycles, functions, symbols and
// non-finite numbers left out with a warning each; nothing read deeper than the value limit.
function jsonText(
  root: readonly unknown[],
  cleaning: Cleaning,
  path: string,
  ancestors: Set<object>,
): string {
  // Objects being written, outermost first, and the keys that lead to them.
  const holders: object[] = [];
  const keys: string[] = [];
  return JSON.stringify(root, function (this: object, key: string, value: unknown) {
    // Depth-first: `this` (the object holding `value`) is on the stack; what is above it is done.
    let depth = holders.length;
    while (depth && holders[depth - 1] !== this) depth--;
    holders.length = keys.length = depth;
    const where = () =>
      path +
      keys
        .slice(1)
        .concat(key)
        .map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`))
        .join('');
    const type = typeof value;
    if (type === 'bigint') return String(value);
    if (type === 'number' && !finite(value as number))
      return warn(cleaning, 'non_finite_number', where());
    if (type === 'function' || type === 'symbol')
      return warn(cleaning, 'unsupported_value', where());
    if (value && type === 'object') {
      if (holders.includes(value) || (depth && ancestors.has(value)))
        return warn(cleaning, 'circular_reference', where());
      if (depth > cleaning.valueLength) return;
      holders.push(value);
      keys.push(key);
    }
    return value;
  });
}
