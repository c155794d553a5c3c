import { CONTROL_PARAMETERS, type KmValue } from '../model/command.js';
import type { KmWarning, KmWarningCode } from '../model/errors.js';
import {
  fitsCodePoints,
  isWellFormedText,
  toWellFormedText,
  truncateCodePoints,
} from '../model/parse-limits.js';

/** What one `mapEvent` call shares between the writers of its commands. */
export interface CleanContext {
  readonly nameLength: number;
  readonly valueLength: number;
  readonly warnings: KmWarning[];
}

/** Adds a warning; paths are built only here, so the no-warning path allocates nothing. */
export function warn(
  context: CleanContext,
  code: KmWarningCode,
  path: string,
  message: string,
): void {
  context.warnings.push({ code, path, message });
}

/** `base.tail`, or `base` alone when there is no tail. */
export function joinPath(base: string, tail: string | undefined): string {
  return tail === undefined ? base : base === '' ? tail : `${base}.${tail}`;
}

const NAME_SEPARATORS = /[,:]/g;

type PropertyBag = Record<string, KmValue>;

// Instances have a prototype chain without Object.prototype: no `__proto__` setter (or any other
// accessor) exists on it, and the frozen empty prototype cannot gain one, so `bag[key] = value` is
// an own data property for every key. V8 keeps these in fast mode, unlike Object.create(null).
const PropertyBag = function PropertyBag() {} as unknown as new () => PropertyBag;
const bagPrototype = Object.create(null);
// console.log / util.inspect show the properties as a plain object. A symbol key cannot clash
// with a property name.
bagPrototype[Symbol.for('nodejs.util.inspect.custom')] = function inspectBag(
  this: PropertyBag,
  _depth: number,
  options: unknown,
  inspect: (value: unknown, options: unknown) => string,
) {
  return inspect({ ...this }, options);
};
PropertyBag.prototype = Object.freeze(bagPrototype);

function defineValue(target: PropertyBag, name: string, value: KmValue): void {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

// Kissmetrics compares names case-insensitively; below this many names a scan beats a Map.
const SCAN_LIMIT = 32;

// The case-folded form of a name, without allocating for names that have no upper case.
function foldName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if ((code >= 65 && code <= 90) || code > 127) return name.toLowerCase();
  }
  return name;
}

// Same name for Kissmetrics, which ignores case. `a` and `b` have the same length; ASCII is
// compared without allocating, anything else falls back to toLowerCase.
function sameName(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x > 127 || y > 127) return a.toLowerCase() === b.toLowerCase();
    const lower = x | 32;
    if (lower !== (y | 32) || lower < 97 || lower > 122) return false;
  }
  return true;
}

/**
 * Builds the cleaned, flat properties of one command: final names (prefix, `,`/`:` as spaces,
 * limits, reserved names, case-insensitive collisions) and values within the value limit.
 *
 * A key such as `__proto__` is always an ordinary key and nothing reaches a prototype. By default
 * the output has no `Object.prototype` in its chain (fast, and safe with any key); `plain` makes an
 * ordinary object instead, every key defined with `Object.defineProperty`, for the Kissmetrics JS
 * library, which may call `Object.prototype` methods such as `hasOwnProperty` on it.
 */
export class PropertyWriter {
  /** The cleaned properties, in the order they were written. */
  readonly values: PropertyBag;
  private readonly context: CleanContext;
  private readonly plain: boolean;
  private names: string[] = [];
  private folded: Map<string, string> | undefined;

  constructor(context: CleanContext, plain = false) {
    this.context = context;
    this.plain = plain;
    this.values = plain ? {} : new PropertyBag();
  }

  /** How many properties were written. */
  get size(): number {
    return this.folded === undefined ? this.names.length : this.folded.size;
  }

  /**
   * The final Kissmetrics name for `prefix + flat`, or `undefined` (with a warning) when it
   * cannot be sent. `pathBase`/`pathTail` locate the value in the input, for warnings.
   */
  name(prefix: string, flat: string, pathBase: string, pathTail: string | undefined) {
    let name = prefix === '' ? flat : prefix + flat;
    // One pass finds both "," / ":" and surrogates (cheaper than indexOf twice plus a check).
    let separators = false;
    let surrogates = false;
    for (let i = 0; i < name.length; i++) {
      const code = name.charCodeAt(i);
      if (code === 44 || code === 58) separators = true;
      else if (code >= 0xd800 && code <= 0xdfff) surrogates = true;
    }
    if (separators) name = name.replace(NAME_SEPARATORS, ' ');
    if (surrogates && !isWellFormedText(name)) {
      warn(
        this.context,
        'malformed_string',
        joinPath(pathBase, pathTail),
        'the property name has a lone UTF-16 surrogate, replaced by U+FFFD: check how the name is built',
      );
      name = toWellFormedText(name);
    }
    if (!fitsCodePoints(name, this.context.nameLength)) {
      warn(
        this.context,
        'name_too_long',
        joinPath(pathBase, pathTail),
        `the property name is over ${this.context.nameLength} characters, Kissmetrics' limit: the value was dropped; use a shorter name or less nesting`,
      );
      return undefined;
    }
    if (name === '') {
      warn(
        this.context,
        'empty_name',
        joinPath(pathBase, pathTail),
        'a property with an empty name cannot be stored by Kissmetrics: the value was dropped; give it a name',
      );
      return undefined;
    }
    if (name.charCodeAt(0) === 95 /* _ */ && CONTROL_PARAMETERS.has(name)) {
      warn(
        this.context,
        'reserved_key',
        joinPath(pathBase, pathTail),
        `"${name}" is a Kissmetrics control parameter and would change the request: the value was dropped; rename the property`,
      );
      return undefined;
    }
    return name;
  }

  /** Writes a text value under a final name, fixing lone surrogates and truncating to the limit. */
  writeText(name: string, text: string, pathBase: string, pathTail: string | undefined): void {
    let value = text;
    if (!isWellFormedText(value)) {
      warn(
        this.context,
        'malformed_string',
        joinPath(pathBase, pathTail),
        'the value has a lone UTF-16 surrogate, replaced by U+FFFD: check how the text is built',
      );
      value = toWellFormedText(value);
    }
    const limit = this.context.valueLength;
    if (!fitsCodePoints(value, limit)) {
      warn(
        this.context,
        'value_truncated',
        joinPath(pathBase, pathTail),
        `the value is over ${limit} characters, Kissmetrics' limit: it was cut to ${limit}`,
      );
      value = truncateCodePoints(value, limit);
    }
    this.write(name, value, pathBase, pathTail);
  }

  /** The name already written that Kissmetrics would treat as `name`, if any. */
  find(name: string): string | undefined {
    if (this.folded !== undefined) return this.folded.get(foldName(name));
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      const other = names[i]!;
      if (other.length === name.length && sameName(other, name)) return other;
    }
    return undefined;
  }

  /** Writes a cleaned value under a final name; an earlier same-name value is replaced. */
  write(name: string, value: KmValue, pathBase: string, pathTail: string | undefined): void {
    const previous = this.find(name);
    if (previous !== undefined) {
      warn(
        this.context,
        'key_collision',
        joinPath(pathBase, pathTail),
        `"${name}" and "${previous}" are the same Kissmetrics property (names ignore case, "," and ":"): the later value was kept; rename one of them`,
      );
      delete this.values[previous];
      if (this.folded !== undefined) this.folded.delete(foldName(previous));
      else this.names.splice(this.names.indexOf(previous), 1);
    }
    if (this.plain) defineValue(this.values, name, value);
    else this.values[name] = value;
    if (this.folded !== undefined) {
      this.folded.set(foldName(name), name);
    } else {
      this.names.push(name);
      if (this.names.length > SCAN_LIMIT) {
        this.folded = new Map();
        for (const each of this.names) this.folded.set(foldName(each), each);
        this.names = [];
      }
    }
  }
}
