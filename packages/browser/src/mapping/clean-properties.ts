import type { KmValue, KmWarning, KmWarningCode } from '@kmkit/core';
import { CONTROL_PARAMETERS } from '@kmkit/core';
import { DEV, terse } from '@kmkit/core/internal';

/** What the cleaning of one event shares between its commands: the limits and the warnings. */
export interface Cleaning {
  readonly nameLength: number;
  readonly valueLength: number;
  readonly warnings: KmWarning[];
}

/** The cleaned properties of one command, and the lower-cased names Kissmetrics compares. */
export interface CleanProperties {
  readonly values: Record<string, KmValue>;
  readonly folded: Map<string, string>;
  readonly cleaning: Cleaning;
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

/** Adds a warning. */
export function warn(cleaning: Cleaning, code: KmWarningCode, path: string): void {
  const sentence = SENTENCES[code];
  cleaning.warnings.push({
    code,
    path,
    message: sentence ? `${path}: ${sentence}` : terse(code, path),
  });
}

// The path of a value: `base` (`properties`) and its flattened name (`a.b`).
export const at = (base: string, flat?: string): string =>
  flat === undefined ? base : base ? `${base}.${flat}` : flat;

const LONE = /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]/g;

/** `text` with each lone UTF-16 surrogate as U+FFFD, or `undefined` when it has none. */
export function wellFormed(text: string): string | undefined {
  const fixed = text.replace(LONE, (unit) => (unit.length > 1 ? unit : '\uFFFD'));
  return fixed === text ? undefined : fixed;
}

/** Code points of `text` (a lone surrogate is one). */
export const codePoints = (text: string): number => [...text].length;

/** A text value, well formed and within the value limit. */
export function cleanText(cleaning: Cleaning, value: string, path: string): string {
  let text = value;
  const fixed = wellFormed(text);
  if (fixed !== undefined) {
    warn(cleaning, 'malformed_string', path);
    text = fixed;
  }
  if (codePoints(text) > cleaning.valueLength) {
    warn(cleaning, 'value_truncated', path);
    text = [...text].slice(0, cleaning.valueLength).join('');
  }
  return text;
}

/** New, empty cleaned properties. */
export const properties = (cleaning: Cleaning): CleanProperties => ({
  values: {},
  folded: new Map(),
  cleaning,
});

/**
 * The name Kissmetrics gets for `prefix + flat` (`,` and `:` as spaces, as Kissmetrics does), or
 * `undefined` with a warning when it cannot be sent: over the limit, empty, a control parameter.
 */
export function propertyName(
  into: CleanProperties,
  prefix: string,
  flat: string,
  base: string,
  path = at(base, flat),
): string | undefined {
  const { cleaning } = into;
  let name = (prefix + flat).replace(/[,:]/g, ' ');
  const fixed = wellFormed(name);
  if (fixed !== undefined) {
    warn(cleaning, 'malformed_string', at(base, flat));
    name = fixed;
  }
  const problem: KmWarningCode | '' =
    codePoints(name) > cleaning.nameLength
      ? 'name_too_long'
      : name === ''
        ? 'empty_name'
        : CONTROL_PARAMETERS.has(name)
          ? 'reserved_key'
          : '';
  if (!problem) return name;
  warn(cleaning, problem, path);
}

/** Writes a clean value; an earlier name Kissmetrics takes for the same (case aside) gives way. */
export function write(into: CleanProperties, name: string, value: KmValue, path: string): void {
  const { values, folded } = into;
  const key = name.toLowerCase();
  const previous = folded.get(key);
  if (previous !== undefined) {
    warn(into.cleaning, 'key_collision', path);
    delete values[previous];
  }
  folded.set(key, name);
  // A data property, so `__proto__` is an ordinary name.
  Object.defineProperty(values, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Top-level changes to the properties of a row: `products` skipped, `revenue` replaced. */
export interface Overrides {
  readonly skip?: string;
  readonly replace?: string;
  /** What `replace` holds instead (the parsed amount, or the value as read). */
  readonly value?: unknown;
  /** The prefix of the replaced key when it differs (RudderStack's `<event> - revenue`). */
  readonly prefix?: string;
}

const reportThrow = (cleaning: Cleaning, path: string) => warn(cleaning, 'unsupported_value', path);

/**
 * Cleans `source` into `into` as `@kmkit/core`'s mapping does: nested objects flattened with `.`,
 * arrays of primitives joined with `,`, arrays holding objects as JSON text, `null` and `undefined`
 * left out, and what cannot be sent dropped with a warning naming its path. `seeds` are enclosing
 * objects that count as ancestors for cycles.
 */
export function flatten(
  into: CleanProperties,
  source: object,
  prefix: string,
  path: string,
  overrides?: Overrides,
  seeds: readonly object[] = [],
): void {
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch {
    reportThrow(into.cleaning, path);
    return;
  }
  const ancestors = new Set(seeds).add(source);
  for (const key of keys) {
    try {
      if (key === overrides?.skip) continue;
      const replaced = key === overrides?.replace;
      put(
        into,
        (replaced && overrides.prefix) || prefix,
        key,
        key,
        replaced ? overrides.value : (source as Record<string, unknown>)[key],
        path,
        ancestors,
      );
    } catch {
      reportThrow(into.cleaning, at(path, key));
    }
  }
}

// Writes one value under `prefix + flat`, walking into objects. An object is read as
// `JSON.stringify` reads it: `toJSON` first (a Date gives its ISO text), a boxed primitive as the
// primitive, a typed array as an array. Depth is bounded: names grow with it, and nothing is read
// below the name limit.
function put(
  into: CleanProperties,
  prefix: string,
  flat: string,
  key: string,
  value: unknown,
  base: string,
  ancestors: Set<object>,
): void {
  const { cleaning } = into;
  const path = at(base, flat);
  const type = typeof value;
  if (type === 'bigint') {
    put(into, prefix, flat, key, String(value), base, ancestors);
    return;
  }
  if (type === 'function' || type === 'symbol' || (type === 'number' && !Number.isFinite(value))) {
    warn(cleaning, type === 'number' ? 'non_finite_number' : 'unsupported_value', path);
    return;
  }
  if (type !== 'object') {
    if (value === undefined) return;
    const name = propertyName(into, prefix, flat, base);
    if (name !== undefined) {
      write(
        into,
        name,
        type === 'string' ? cleanText(cleaning, value as string, path) : (value as KmValue),
        path,
      );
    }
    return;
  }
  if (value === null) return;
  let object = value as object;
  if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
    object = Array.from(object as unknown as ArrayLike<number>);
  }
  if (Array.isArray(object)) {
    array(into, prefix, flat, object, base, ancestors);
    return;
  }
  if (object instanceof Date && Number.isNaN(object.getTime())) {
    warn(cleaning, 'unsupported_value', path);
    return;
  }
  const { toJSON, valueOf: read } = object as { toJSON?: unknown; valueOf?: unknown };
  const primitive =
    typeof toJSON === 'function'
      ? toJSON.call(object, key)
      : typeof read === 'function'
        ? read.call(object)
        : object;
  if (primitive !== object) {
    put(into, prefix, flat, key, primitive, base, ancestors);
    return;
  }
  const keys = Object.keys(object);
  if (keys.length === 0) {
    // An empty object is no data; a Map or a class without fields is data we cannot read.
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) warn(cleaning, 'unsupported_value', path);
  } else if (ancestors.has(object)) {
    warn(cleaning, 'circular_reference', path);
  } else if (codePoints(prefix + flat) >= cleaning.nameLength) {
    // Every name below is longer than this one.
    warn(cleaning, 'name_too_long', path);
  } else {
    ancestors.add(object);
    for (const inner of keys) {
      const nested = `${flat}.${inner}`;
      try {
        put(
          into,
          prefix,
          nested,
          inner,
          (object as Record<string, unknown>)[inner],
          base,
          ancestors,
        );
      } catch {
        reportThrow(cleaning, at(base, nested));
      }
    }
    ancestors.delete(object);
  }
}

// Arrays of primitives are joined with `,` (as `join` does); arrays holding objects become JSON.
function array(
  into: CleanProperties,
  prefix: string,
  flat: string,
  items: readonly unknown[],
  base: string,
  ancestors: Set<object>,
): void {
  const { cleaning } = into;
  if (items.length === 0) return;
  const name = propertyName(into, prefix, flat, base);
  if (name === undefined) return;
  const path = at(base, flat);
  let text = '';
  if (
    items.some((item) =>
      typeof item === 'object'
        ? item !== null
        : typeof item === 'function' || typeof item === 'symbol',
    )
  ) {
    text = jsonText(items, cleaning, path, ancestors);
  } else {
    // Past this many UTF-16 units the text is surely over the value limit: stop building it.
    for (let i = 0; i < items.length && text.length <= 2 * cleaning.valueLength + 2; i++) {
      const item = items[i];
      if (i > 0) text += ',';
      if (typeof item === 'number' && !Number.isFinite(item)) {
        warn(cleaning, 'non_finite_number', `${path}[${i}]`);
      } else if (item != null) {
        text += String(item);
      }
    }
  }
  write(into, name, cleanText(cleaning, text, path), path);
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
    while (depth > 0 && holders[depth - 1] !== this) depth--;
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
    if (type === 'number' && !Number.isFinite(value)) {
      warn(cleaning, 'non_finite_number', where());
      return;
    }
    if (type === 'function' || type === 'symbol') {
      warn(cleaning, 'unsupported_value', where());
      return;
    }
    if (typeof value === 'object' && value !== null) {
      if (holders.includes(value) || (depth > 0 && ancestors.has(value))) {
        warn(cleaning, 'circular_reference', where());
        return;
      }
      if (depth > cleaning.valueLength) return;
      holders.push(value);
      keys.push(key);
    }
    return value;
  });
}
