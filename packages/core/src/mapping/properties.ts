import { CONTROL_PARAMETERS, type KmValue } from '../model/command.js';
import { DEV, terse } from '../model/development.js';
import type { KmWarning, KmWarningCode } from '../model/errors.js';
import {
  codePointLength,
  fitsCodePoints,
  truncateCodePoints,
  wellFormed,
} from '../model/limits.js';
import { withArticle } from '../model/parse-event.js';

/** What one `mapEvent` call shares between the property sets of its commands. */
export interface CleanContext {
  readonly nameLength: number;
  readonly valueLength: number;
  readonly warnings: KmWarning[];
}

/** Adds a warning. */
/** Adds a warning; `message` is `false` in production builds (see `DEV`). */
export function warn(
  context: CleanContext,
  code: KmWarningCode,
  path: string,
  message: string | false,
) {
  context.warnings.push({ code, path, message: message || terse(code, path) });
}

// The path of a value for warnings; `flat` undefined means `base` is the whole path.
const at = (base: string, flat?: string) =>
  flat === undefined ? base : base === '' ? flat : `${base}.${flat}`;
// Getters, proxies and toJSON are user code: one that throws loses only its own value.
const threw = (context: CleanContext, path: string, error: unknown, lost = 'dropped') =>
  warn(
    context,
    'unsupported_value',
    path,
    DEV && `reading it threw (${error instanceof Error ? error.message : String(error)}): ${lost}`,
  );
const SEPARATORS = /[,:]/g;
// Kissmetrics compares names case-insensitively; up to this many names a scan beats a Map.
const SCAN = 24;

/**
 * The cleaned, flat properties of one command, built name by name: final names (prefix, `,` and
 * `:` as spaces, the name limit, control parameters, case-insensitive collisions) and values within
 * the value limit. Every key is an own data property, `__proto__` included; nothing reaches a
 * prototype.
 */
export class Properties {
  /** The cleaned properties, in the order they were written. */
  readonly values: Record<string, KmValue> = {};
  private readonly names: string[] = [];
  private folded: Map<string, string> | undefined;

  constructor(readonly context: CleanContext) {}

  /** How many properties were written. */
  get size(): number {
    return this.names.length;
  }

  /**
   * The final name for `prefix + flat`, or `undefined` (with a warning) when it cannot be sent.
   * `base` and `flat` locate the value in the input for warnings (`properties` + `a.b`).
   */
  name(prefix: string, flat: string, base: string, path?: string): string | undefined {
    const { context } = this;
    let name = prefix + flat;
    if (name.indexOf(',') !== -1 || name.indexOf(':') !== -1) name = name.replace(SEPARATORS, ' ');
    const fixed = wellFormed(name);
    if (fixed !== undefined) {
      warn(
        context,
        'malformed_string',
        at(base, flat),
        DEV && 'the name has a lone UTF-16 surrogate, replaced by U+FFFD',
      );
      name = fixed;
    }
    let problem: [KmWarningCode, string | false] | undefined;
    if (!fitsCodePoints(name, context.nameLength)) {
      problem = [
        'name_too_long',
        DEV &&
          `the name is over ${context.nameLength} characters, Kissmetrics' limit: dropped; use a shorter name or less nesting`,
      ];
    } else if (name === '') {
      problem = [
        'empty_name',
        DEV && 'Kissmetrics cannot store a property without a name: dropped; name it',
      ];
    } else if (name.charCodeAt(0) === 95 && CONTROL_PARAMETERS.has(name)) {
      problem = [
        'reserved_key',
        DEV &&
          `"${name}" is a Kissmetrics control parameter and would change the request: dropped; rename it`,
      ];
    }
    if (problem === undefined) return name;
    warn(context, problem[0], path ?? at(base, flat), problem[1]);
    return undefined;
  }

  /** Writes text under a final name: lone surrogates fixed, cut to the value limit. */
  text(name: string, value: string, base: string, flat?: string): void {
    const { context } = this;
    let text = value;
    const fixed = wellFormed(text);
    if (fixed !== undefined) {
      warn(
        context,
        'malformed_string',
        at(base, flat),
        DEV && 'the value has a lone UTF-16 surrogate, replaced by U+FFFD',
      );
      text = fixed;
    }
    if (!fitsCodePoints(text, context.valueLength)) {
      warn(
        context,
        'value_truncated',
        at(base, flat),
        DEV &&
          `the value is over ${context.valueLength} characters, Kissmetrics' limit: it was cut to ${context.valueLength}`,
      );
      text = truncateCodePoints(text, context.valueLength);
    }
    this.write(name, text, base, flat);
  }

  /** The name already written that Kissmetrics would take for `name`, if any. */
  find(name: string): string | undefined {
    if (this.folded !== undefined) return this.folded.get(name.toLowerCase());
    for (const other of this.names) {
      if (
        other.length === name.length &&
        (other === name || other.toLowerCase() === name.toLowerCase())
      ) {
        return other;
      }
    }
    return undefined;
  }

  /** Writes a clean value under a final name; an earlier value of the same name is replaced. */
  write(name: string, value: KmValue, base: string, flat?: string): void {
    const { names, values } = this;
    const previous = this.find(name);
    if (previous !== undefined) {
      warn(
        this.context,
        'key_collision',
        flat === undefined ? base : at(base, flat),
        DEV &&
          `"${name}" and "${previous}" are the same Kissmetrics property (names ignore case, "," and ":"): the later value was kept; rename one`,
      );
      delete values[previous];
      names.splice(names.indexOf(previous), 1);
      this.folded?.delete(previous.toLowerCase());
    }
    if (name === '__proto__') {
      Object.defineProperty(values, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      values[name] = value;
    }
    names.push(name);
    if (this.folded !== undefined) {
      this.folded.set(name.toLowerCase(), name);
    } else if (names.length > SCAN) {
      this.folded = new Map(names.map((each) => [each.toLowerCase(), each]));
    }
  }
}

/** Top-level changes to the properties of a row: `products` skipped, `revenue` replaced. */
export interface RootOverrides {
  readonly skip?: string;
  readonly replace?: string;
  /** What `replace` holds instead (the parsed amount, or the value as read). */
  readonly value?: unknown;
  /** The name prefix of the replaced key when it differs (RudderStack's `<event> - revenue`). */
  readonly prefix?: string;
}

interface Frame {
  readonly object: object;
  readonly keys: string[];
  index: number;
  /** The flattened name of this object, then `.`. */
  readonly name: string;
}

const NO_SEEDS: readonly object[] = [];

/**
 * Cleans `source` into `into`: nested objects flattened with `.` at any depth (iteratively, so deep
 * input cannot overflow the stack), arrays of primitives joined with `,`, arrays holding objects as
 * JSON text, dropped values warned about. `prefix` starts every name; `path` locates `source` in the
 * input for warnings (`properties.products[2]`); `seeds` are enclosing objects that count as
 * ancestors for cycles.
 */
export function flatten(
  into: Properties,
  source: object,
  prefix: string,
  path: string,
  overrides?: RootOverrides,
  seeds: readonly object[] = NO_SEEDS,
): void {
  const { context } = into;
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch (error) {
    threw(context, path, error, 'nothing of it was sent');
    return;
  }
  // Enclosing objects, for cycles: only needed once something nests.
  let ancestors: Set<object> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    try {
      let keyPrefix = prefix;
      let value: unknown;
      if (overrides !== undefined && key === overrides.skip) continue;
      if (overrides !== undefined && key === overrides.replace) {
        value = overrides.value;
        keyPrefix = overrides.prefix ?? prefix;
      } else {
        value = (source as Record<string, unknown>)[key];
      }
      // Most properties are text, numbers or booleans: nothing more to decide for them.
      const type = typeof value;
      if (
        type === 'string' ||
        type === 'boolean' ||
        (type === 'number' && Number.isFinite(value))
      ) {
        const name = into.name(keyPrefix, key, path);
        if (name === undefined) continue;
        if (type === 'string') into.text(name, value as string, path, key);
        else into.write(name, value as number | boolean, path, key);
      } else if (value != null) {
        ancestors ??= new Set(seeds).add(source);
        descend(into, keyPrefix, key, value, path, ancestors);
      }
    } catch (error) {
      threw(context, at(path, key), error);
    }
  }
}

/** Writes one top-level value, walking into it (without recursion) when it is an object. */
function descend(
  into: Properties,
  prefix: string,
  key: string,
  value: unknown,
  path: string,
  ancestors: Set<object>,
): void {
  const { context } = into;
  const stack: Frame[] = [];
  let item = value;
  let inner = key;
  let flat = key;
  for (;;) {
    try {
      const nested = put(into, prefix, flat, inner, item, path, ancestors);
      if (nested !== undefined) {
        const keys = Object.keys(nested);
        const where = at(path, flat);
        if (keys.length === 0) {
          // An empty object is no data; a Map or a class without fields is data we cannot read.
          const proto = Object.getPrototypeOf(nested);
          if (proto !== Object.prototype && proto !== null) {
            warn(
              context,
              'unsupported_value',
              where,
              DEV &&
                `${withArticle(Object.prototype.toString.call(nested).slice(8, -1))} has no fields to send: dropped; convert it to an object or an array`,
            );
          }
        } else if (ancestors.has(nested)) {
          warn(
            context,
            'circular_reference',
            where,
            DEV && 'a reference back to an enclosing object was cut: its properties are sent once',
          );
        } else if (codePointLength(prefix + flat) >= context.nameLength) {
          // Every name below is longer than this one: stop where it reaches the limit.
          warn(
            context,
            'name_too_long',
            where,
            DEV &&
              `the names nested here are over ${context.nameLength} characters, Kissmetrics' limit: their values were dropped; nest less deeply`,
          );
        } else {
          ancestors.add(nested);
          stack.push({ object: nested, keys, index: 0, name: `${flat}.` });
        }
      }
    } catch (error) {
      threw(context, at(path, flat), error);
    }
    // The next value: the next key of the innermost unfinished object.
    let frame = stack[stack.length - 1];
    while (frame !== undefined && frame.index === frame.keys.length) {
      ancestors.delete(frame.object);
      stack.pop();
      frame = stack[stack.length - 1];
    }
    if (frame === undefined) return;
    inner = frame.keys[frame.index++]!;
    flat = frame.name + inner;
    try {
      item = (frame.object as Record<string, unknown>)[inner];
    } catch (error) {
      threw(context, at(path, flat), error);
      item = undefined;
    }
  }
}

/**
 * Writes one value under `prefix + flat`, or returns the object to descend into. Objects are read
 * the way `JSON.stringify` reads them: `toJSON` first (a `Date` gives its ISO string), a boxed
 * primitive as the primitive, a typed array as an array.
 */
function put(
  into: Properties,
  prefix: string,
  flat: string,
  key: string,
  value: unknown,
  base: string,
  ancestors: Set<object>,
): object | undefined {
  const { context } = into;
  switch (typeof value) {
    case 'string': {
      const name = into.name(prefix, flat, base);
      if (name !== undefined) into.text(name, value, base, flat);
      return undefined;
    }
    case 'number':
    case 'boolean': {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        warn(
          context,
          'non_finite_number',
          at(base, flat),
          DEV && `${value} is not a number Kissmetrics can store: dropped; send a finite number`,
        );
        return undefined;
      }
      const name = into.name(prefix, flat, base);
      if (name !== undefined) into.write(name, value as number | boolean, base, flat);
      return undefined;
    }
    case 'bigint':
      return put(into, prefix, flat, key, String(value), base, ancestors);
    case 'function':
    case 'symbol':
      warn(
        context,
        'unsupported_value',
        at(base, flat),
        DEV && `a ${typeof value} has no value to send: dropped`,
      );
      return undefined;
    case 'undefined':
      return undefined;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (Array.isArray(object)) {
    array(into, prefix, flat, object, base, ancestors);
    return undefined;
  }
  if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
    return put(
      into,
      prefix,
      flat,
      key,
      Array.from(object as unknown as ArrayLike<number>),
      base,
      ancestors,
    );
  }
  if (object instanceof Date && Number.isNaN(object.getTime())) {
    warn(
      context,
      'unsupported_value',
      at(base, flat),
      DEV && 'an Invalid Date has no value to send: dropped',
    );
    return undefined;
  }
  const { toJSON, valueOf: read } = object as { toJSON?: unknown; valueOf?: unknown };
  const primitive =
    typeof toJSON === 'function'
      ? toJSON.call(object, key)
      : typeof read === 'function'
        ? read.call(object)
        : object;
  if (primitive !== object) return put(into, prefix, flat, key, primitive, base, ancestors);
  return object;
}

/** Arrays of primitives are joined with `,` (as `join` does); arrays holding objects become JSON. */
function array(
  into: Properties,
  prefix: string,
  flat: string,
  items: readonly unknown[],
  base: string,
  ancestors: Set<object>,
): void {
  const { context } = into;
  if (items.length === 0) return;
  const name = into.name(prefix, flat, base);
  if (name === undefined) return;
  const path = at(base, flat);
  if (
    items.some((item) =>
      typeof item === 'object'
        ? item !== null
        : typeof item === 'function' || typeof item === 'symbol',
    )
  ) {
    into.text(name, jsonText(items, context, path, ancestors), base, flat);
    return;
  }
  // Past this many UTF-16 units the text is surely over the value limit: stop building it.
  const bound = 2 * context.valueLength + 2;
  let text = '';
  for (let i = 0; i < items.length && text.length <= bound; i++) {
    const item = items[i];
    if (i > 0) text += ',';
    if (typeof item === 'number' && !Number.isFinite(item)) {
      warn(
        context,
        'non_finite_number',
        `${path}[${i}]`,
        DEV && `${item} is not a number Kissmetrics can store: left empty in the list`,
      );
    } else if (item != null) {
      text += String(item);
    }
  }
  into.text(name, text, base, flat);
}

/**
 * JSON text of an array holding objects: bigints as decimal strings, a reference back to an
 * enclosing object, functions, symbols and non-finite numbers left out with a warning each. Nothing
 * deeper than the value limit is read: the brackets alone would pass the limit there.
 */
function jsonText(
  root: readonly unknown[],
  context: CleanContext,
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
    holders.length = depth;
    keys.length = depth;
    const where = () =>
      path +
      keys
        .slice(1)
        .concat(key)
        .map((k) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`))
        .join('');
    switch (typeof value) {
      case 'bigint':
        return String(value);
      case 'number':
        if (Number.isFinite(value)) return value;
        warn(
          context,
          'non_finite_number',
          where(),
          DEV && `${value} is not a number JSON can hold: left out`,
        );
        return undefined;
      case 'function':
      case 'symbol':
        warn(
          context,
          'unsupported_value',
          where(),
          DEV && `a ${typeof value} has no value to send: left out`,
        );
        return undefined;
      case 'object':
        if (value === null) return null;
        if (holders.includes(value) || (depth > 0 && ancestors.has(value))) {
          warn(
            context,
            'circular_reference',
            where(),
            DEV && 'a reference back to an enclosing object was left out',
          );
          return undefined;
        }
        if (depth > context.valueLength) return undefined;
        holders.push(value);
        keys.push(key);
    }
    return value;
  });
}
