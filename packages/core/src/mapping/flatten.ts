import type { KmValue } from '../model/command.js';
import { codePointLength } from '../model/parse-limits.js';
import { toJsonText } from './json-text.js';
import { type CleanContext, joinPath, type PropertyWriter, warn } from './property-writer.js';
import {
  className,
  errorText,
  isArray,
  isPlainObject,
  lastUnsupportedReason,
  resolveObject,
  UNSUPPORTED,
} from './value-shape.js';

/** Changes to the top level of the properties being flattened (revenue, products). */
export interface RootOverrides {
  /** A top-level key left out (e.g. `products`, sent as rows of their own). */
  readonly skipKey?: string;
  /** A top-level key whose value is replaced (e.g. `revenue` by its parsed number). */
  readonly replaceKey?: string;
  readonly replaceValue?: KmValue;
  /** The name prefix of the replaced key, when it differs (RudderStack's `<event> - revenue`). */
  readonly replacePrefix?: string;
}

interface Frame {
  readonly object: object;
  readonly keys: readonly string[];
  index: number;
  /** The flattened name of this object plus `.`. */
  readonly name: string;
}

/** Writes a finite number or a boolean under `prefix + flat`. */
function writeScalar(
  writer: PropertyWriter,
  context: CleanContext,
  prefix: string,
  flat: string,
  value: number | boolean,
  pathBase: string,
): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    warn(
      context,
      'non_finite_number',
      joinPath(pathBase, flat),
      `${value} is not a number Kissmetrics can store: dropped; send a finite number`,
    );
    return;
  }
  const name = writer.name(prefix, flat, pathBase, flat);
  if (name !== undefined) writer.write(name, value, pathBase, flat);
}

/**
 * The part of one flattening that needs state: nested objects, arrays, and the chain of enclosing
 * objects for cycle detection. Flat properties never create one.
 */
class Flattener {
  private ancestors: Set<object> | undefined;

  constructor(
    private readonly writer: PropertyWriter,
    private readonly context: CleanContext,
    private readonly pathBase: string,
    private readonly root: object,
    private readonly seeds: readonly object[] | undefined,
  ) {}

  /** The objects on the current path (a Set only once nesting is met). */
  private chain(): Set<object> {
    if (this.ancestors === undefined) {
      this.ancestors = new Set(this.seeds);
      this.ancestors.add(this.root);
    }
    return this.ancestors;
  }

  /** Writes one top-level value of any kind, descending into it when it is an object. */
  visit(prefix: string, key: string, value: unknown): void {
    const nested = this.writeValue(prefix, key, key, value);
    if (nested === undefined) return;
    let frame = this.enter(prefix, key, nested);
    if (frame === undefined) return;
    const { context, pathBase } = this;
    const chain = this.chain();
    const stack: Frame[] = [];
    chain.add(nested);
    for (;;) {
      if (frame.index >= frame.keys.length) {
        chain.delete(frame.object);
        const parent = stack.pop();
        if (parent === undefined) return;
        frame = parent;
        continue;
      }
      const inner = frame.keys[frame.index++]!;
      const flat = frame.name + inner;
      let item: unknown;
      try {
        item = (frame.object as Record<string, unknown>)[inner];
      } catch (error) {
        warn(
          context,
          'unsupported_value',
          joinPath(pathBase, flat),
          `reading it threw (${errorText(error)}): dropped`,
        );
        continue;
      }
      const object = this.writeValue(prefix, flat, inner, item);
      if (object === undefined) continue;
      const next = this.enter(prefix, flat, object);
      if (next === undefined) continue;
      stack.push(frame);
      chain.add(object);
      frame = next;
    }
  }

  /** A frame for a nested object, or `undefined` (warned where data is lost) when not entered. */
  private enter(prefix: string, flat: string, nested: object): Frame | undefined {
    const { context, pathBase } = this;
    if (this.chain().has(nested)) {
      warn(
        context,
        'circular_reference',
        joinPath(pathBase, flat),
        'a reference back to an enclosing object was cut: its properties are already sent once',
      );
      return undefined;
    }
    let keys: string[];
    try {
      keys = Object.keys(nested);
    } catch (error) {
      warn(
        context,
        'unsupported_value',
        joinPath(pathBase, flat),
        `reading it threw (${errorText(error)}): dropped`,
      );
      return undefined;
    }
    if (keys.length === 0) {
      // An empty object is no data; a Map or a class without fields is data we cannot read.
      let plain = true;
      try {
        plain = isPlainObject(nested);
      } catch {
        plain = false;
      }
      if (!plain) {
        warn(
          context,
          'unsupported_value',
          joinPath(pathBase, flat),
          `a ${className(nested)} has no fields to send: dropped; convert it to an object or array`,
        );
      }
      return undefined;
    }
    // Every name below is longer than this one: stop descending once it reaches the limit.
    const nameLength = context.nameLength;
    if (prefix.length + flat.length >= nameLength && codePointLength(prefix + flat) >= nameLength) {
      warn(
        context,
        'name_too_long',
        joinPath(pathBase, flat),
        `the names nested here are over ${nameLength} characters, Kissmetrics' limit: their values were dropped; flatten the data less deeply`,
      );
      return undefined;
    }
    return { object: nested, keys, index: 0, name: `${flat}.` };
  }

  /**
   * Writes a leaf value, or returns the object to descend into. Handles every JavaScript value:
   * primitives, arrays, and objects through {@link resolveObject}.
   */
  private writeValue(
    prefix: string,
    flat: string,
    key: string,
    value: unknown,
  ): object | undefined {
    const { writer, context, pathBase } = this;
    switch (typeof value) {
      case 'string': {
        const name = writer.name(prefix, flat, pathBase, flat);
        if (name !== undefined) writer.writeText(name, value, pathBase, flat);
        return undefined;
      }
      case 'number':
      case 'boolean':
        writeScalar(writer, context, prefix, flat, value, pathBase);
        return undefined;
      case 'bigint': {
        const name = writer.name(prefix, flat, pathBase, flat);
        if (name !== undefined) writer.writeText(name, String(value), pathBase, flat);
        return undefined;
      }
      case 'undefined':
        return undefined;
      case 'function':
      case 'symbol':
        warn(
          context,
          'unsupported_value',
          joinPath(pathBase, flat),
          `a ${typeof value} has no value to send: dropped`,
        );
        return undefined;
    }
    if (value === null) return undefined;
    if (isArray(value)) {
      this.writeArray(prefix, flat, value);
      return undefined;
    }
    const resolved = resolveObject(value as object, key);
    if (resolved === value) return resolved as object;
    if (resolved === UNSUPPORTED) {
      warn(
        context,
        'unsupported_value',
        joinPath(pathBase, flat),
        `${lastUnsupportedReason()}: dropped`,
      );
      return undefined;
    }
    if (typeof resolved === 'object' && resolved !== null && !isArray(resolved)) {
      return resolved;
    }
    // A Date, a boxed primitive, a typed array or a toJSON result: written as that value.
    return this.writeValue(prefix, flat, key, resolved);
  }

  /** Arrays of primitives are joined with `,`; arrays holding anything else become JSON text. */
  private writeArray(prefix: string, flat: string, array: readonly unknown[]): void {
    const { writer, context, pathBase } = this;
    let length = 0;
    let primitive = true;
    try {
      length = array.length;
      for (let i = 0; i < length; i++) {
        const item = array[i];
        const type = typeof item;
        if (type === 'object' ? item !== null : type === 'function' || type === 'symbol') {
          primitive = false;
          break;
        }
      }
    } catch (error) {
      warn(
        context,
        'unsupported_value',
        joinPath(pathBase, flat),
        `reading it threw (${errorText(error)}): dropped`,
      );
      return;
    }
    if (length === 0) return;
    const name = writer.name(prefix, flat, pathBase, flat);
    if (name === undefined) return;
    // Past this many UTF-16 units the text is surely over the value limit: stop building it.
    const bound = 2 * context.valueLength + 2;
    if (!primitive) {
      const text = toJsonText(array, context, joinPath(pathBase, flat), this.chain(), bound);
      writer.writeText(name, text, pathBase, flat);
      return;
    }
    let text = '';
    try {
      for (let i = 0; i < length && text.length <= bound; i++) {
        if (i > 0) text += ',';
        const item = array[i];
        switch (typeof item) {
          case 'string':
            text += item;
            break;
          case 'number':
            if (Number.isFinite(item)) text += String(item);
            else {
              warn(
                context,
                'non_finite_number',
                `${joinPath(pathBase, flat)}[${i}]`,
                `${item} is not a number Kissmetrics can store: left empty in the list`,
              );
            }
            break;
          case 'boolean':
          case 'bigint':
            text += String(item);
            break;
        }
      }
    } catch (error) {
      warn(
        context,
        'unsupported_value',
        joinPath(pathBase, flat),
        `reading it threw (${errorText(error)}): dropped`,
      );
      return;
    }
    writer.writeText(name, text, pathBase, flat);
  }
}

/**
 * Cleans `source` into `writer`: nested objects flattened with `.` at any depth (iteratively, so
 * deep input cannot overflow the stack), arrays joined or turned into JSON text, dropped values
 * warned about. `prefix` starts every name; `pathBase` locates `source` in the input for warnings
 * (`properties`, `traits`, `properties.products[2]`). `seeds` are enclosing objects that count as
 * ancestors for cycle detection.
 */
export function flattenInto(
  writer: PropertyWriter,
  context: CleanContext,
  source: object,
  prefix: string,
  pathBase: string,
  overrides?: RootOverrides,
  seeds?: readonly object[],
): void {
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch (error) {
    warn(
      context,
      'unsupported_value',
      pathBase,
      `reading it threw (${errorText(error)}): nothing of it was sent`,
    );
    return;
  }
  // Flat values are written here; the first nested value or array brings in a Flattener.
  let flattener: Flattener | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    let keyPrefix = prefix;
    let value: unknown;
    if (overrides !== undefined && key === overrides.skipKey) continue;
    if (overrides !== undefined && key === overrides.replaceKey) {
      value = overrides.replaceValue;
      keyPrefix = overrides.replacePrefix ?? prefix;
    } else {
      try {
        value = (source as Record<string, unknown>)[key];
      } catch (error) {
        warn(
          context,
          'unsupported_value',
          joinPath(pathBase, key),
          `reading it threw (${errorText(error)}): dropped`,
        );
        continue;
      }
    }
    switch (typeof value) {
      case 'string': {
        const name = writer.name(keyPrefix, key, pathBase, key);
        if (name !== undefined) writer.writeText(name, value, pathBase, key);
        continue;
      }
      case 'number':
      case 'boolean':
        writeScalar(writer, context, keyPrefix, key, value, pathBase);
        continue;
      case 'undefined':
        continue;
    }
    if (value === null) continue;
    if (flattener === undefined) {
      flattener = new Flattener(writer, context, pathBase, source, seeds);
    }
    flattener.visit(keyPrefix, key, value);
  }
}
