import { type CleanContext, warn } from './property-writer.js';
import {
  className,
  errorText,
  isPlainObject,
  lastUnsupportedReason,
  resolveObject,
  UNSUPPORTED,
} from './value-shape.js';

interface Container {
  readonly value: object;
  /** Keys of an object; `undefined` for an array. */
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  index: number;
  written: number;
  /** Where the container is in the input, for warnings. */
  readonly path: string;
}

function itemPath(container: Container, index: number): string {
  return container.keys === undefined
    ? `${container.path}[${index}]`
    : `${container.path}.${container.keys[index]}`;
}

// JSON text of a non-object value, or undefined when it has none (warned where data is lost).
function primitiveJson(
  value: unknown,
  context: CleanContext,
  container: Container,
  index: number,
): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
      warn(
        context,
        'non_finite_number',
        itemPath(container, index),
        `${value} has no JSON form: left out; send a finite number`,
      );
      return undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value}"`;
    case 'function':
    case 'symbol':
      warn(
        context,
        'unsupported_value',
        itemPath(container, index),
        `a ${typeof value} has no value to send: left out`,
      );
      return undefined;
    default:
      return value === null ? 'null' : undefined;
  }
}

/**
 * The JSON text of an array that holds objects, for Kissmetrics, which cannot take nested values.
 * Iterative (no recursion limit on deep input) and cycle-safe: `ancestors` holds the objects on the
 * path from the root of the properties, and a reference back to one of them is left out with a
 * `circular_reference` warning. Values follow `JSON.stringify`, except that a bigint is a decimal
 * string and every dropped value (function, symbol, NaN, infinity, Invalid Date) is warned about.
 * Stops once the text is longer than `bound` UTF-16 units: the caller truncates it anyway.
 */
export function toJsonText(
  array: readonly unknown[],
  context: CleanContext,
  path: string,
  ancestors: Set<object>,
  bound: number,
): string {
  let out = '[';
  const stack: Container[] = [
    { value: array, keys: undefined, length: array.length, index: 0, written: 0, path },
  ];
  ancestors.add(array);
  while (stack.length > 0) {
    const container = stack[stack.length - 1]!;
    if (out.length > bound) {
      // The caller truncates: closing 100,000 open brackets would be wasted work.
      for (const open of stack) ancestors.delete(open.value);
      return out;
    }
    if (container.index >= container.length) {
      out += container.keys === undefined ? ']' : '}';
      ancestors.delete(container.value);
      stack.pop();
      continue;
    }
    const index = container.index++;
    const inArray = container.keys === undefined;
    const key = inArray ? String(index) : container.keys![index]!;
    let text: string | undefined;
    let nested: object | undefined;
    let item: unknown;
    try {
      item = (container.value as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) {
        const resolved = Array.isArray(item) ? item : resolveObject(item, key);
        if (resolved === UNSUPPORTED) {
          warn(
            context,
            'unsupported_value',
            itemPath(container, index),
            `${lastUnsupportedReason()}: left out`,
          );
        } else if (typeof resolved === 'object' && resolved !== null) {
          nested = resolved;
        } else {
          text = primitiveJson(resolved, context, container, index);
        }
      } else {
        text = primitiveJson(item, context, container, index);
      }
    } catch (error) {
      warn(
        context,
        'unsupported_value',
        itemPath(container, index),
        `reading it threw (${errorText(error)}): left out`,
      );
    }
    if (nested !== undefined) {
      if (ancestors.has(nested)) {
        warn(
          context,
          'circular_reference',
          itemPath(container, index),
          'a reference back to an enclosing object was left out (a cycle has no JSON form)',
        );
      } else {
        let keys: string[] | undefined;
        let length = 0;
        let readable = true;
        try {
          if (Array.isArray(nested)) {
            length = nested.length;
          } else {
            keys = Object.keys(nested);
            length = keys.length;
            if (length === 0 && !isPlainObject(nested)) {
              warn(
                context,
                'unsupported_value',
                itemPath(container, index),
                `a ${className(nested)} has no fields to send: sent as {}; convert it to an object or array`,
              );
            }
          }
        } catch (error) {
          readable = false;
          warn(
            context,
            'unsupported_value',
            itemPath(container, index),
            `reading it threw (${errorText(error)}): left out`,
          );
        }
        if (readable) {
          if (container.written++ > 0) out += ',';
          if (!inArray) out += `${JSON.stringify(key)}:`;
          out += keys === undefined ? '[' : '{';
          ancestors.add(nested);
          stack.push({
            value: nested,
            keys,
            length,
            index: 0,
            written: 0,
            path: itemPath(container, index),
          });
          continue;
        }
      }
    }
    // In an array a left-out value keeps its place as null, as JSON.stringify does.
    if (text === undefined) {
      if (!inArray) continue;
      text = 'null';
    }
    if (container.written++ > 0) out += ',';
    out += inArray ? text : `${JSON.stringify(key)}:${text}`;
  }
  return out;
}
