import { isDeepStrictEqual } from 'node:util';
import type { Check } from './types.js';

const DETAIL_LENGTH = 400;

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > DETAIL_LENGTH ? `${text.slice(0, DETAIL_LENGTH)}…` : text;
}

/** A check that holds when `ok` is true; `detail` says what was seen when it does not. */
export function check(description: string, ok: boolean, detail?: string): Check {
  return ok || detail === undefined ? { description, ok } : { description, ok, detail };
}

/** A check that `actual` deep-equals `expected`; on failure the detail shows both. */
export function checkEqual(description: string, actual: unknown, expected: unknown): Check {
  return check(
    description,
    isDeepStrictEqual(actual, expected),
    `got ${shown(actual)}, expected ${shown(expected)}`,
  );
}
