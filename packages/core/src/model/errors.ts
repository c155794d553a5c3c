import { terse } from './development.js';

/**
 * Why an input was refused. Stable: match on these, not on messages.
 *
 * - `invalid_json`: a string input that is not JSON.
 * - `invalid_message`: the input (or a field that must be an object) has the wrong type.
 * - `unknown_type`: `type` is missing or not one of identify, track, page, screen, alias, group.
 * - `missing_identity`: neither a usable `userId` nor an `anonymousId` (cloud mode needs `_p`).
 * - `missing_event_name`: a track without a non-empty `event`.
 * - `invalid_event_name`: a track whose `event` is not a string (a number, an object...): a name
 *   is text, so kmkit refuses rather than guess (`42` is more likely an id passed by mistake).
 * - `missing_user_id`: an alias without the new `userId`.
 * - `missing_previous_id`: an alias with neither `previousId` nor `anonymousId`.
 * - `missing_group_id`: a group call without `groupId`.
 * - `name_too_long`: an event name or identity over the name length limit (255 by default).
 * - `generic_identity`: an alias to a placeholder such as `guest` or `anonymous`: aliases are
 *   irreversible and transitive, so it would merge every user with that value into one person.
 * - `self_alias`: an alias of an identity to itself: there is nothing to alias.
 * - `invalid_option`: an option passed to a kmkit function is out of its range.
 * - `not_encodable`: a command that has no form in the requested encoding (e.g. `identify` as HTTP).
 */
export type KmErrorCode =
  | 'invalid_json'
  | 'invalid_message'
  | 'unknown_type'
  | 'missing_identity'
  | 'missing_event_name'
  | 'invalid_event_name'
  | 'missing_user_id'
  | 'missing_previous_id'
  | 'missing_group_id'
  | 'name_too_long'
  | 'generic_identity'
  | 'self_alias'
  | 'invalid_option'
  | 'not_encodable';

/** Options every kmkit error takes after its code, path and message. */
export interface KmErrorOptions {
  /** The error that caused this one (an `fs` error, a network failure...). */
  readonly cause?: unknown;
}

// One registry-wide symbol per class: it survives two copies of a package (its ESM and CJS builds,
// or two versions in one bundle), where `instanceof` does not.
const marker = (name: string): symbol => Symbol.for(`@kmkit/error/${name}`);

/** True when `error` was made by the kmkit error class `name`, from any copy of its package. */
const hasMark = (error: unknown, name: string): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as Record<symbol, unknown>)[marker(name)] === true;

/**
 * The base of every error kmkit throws: a stable `code` to match on, the `path` of the input or
 * option at fault, a message that says what to do, and the `cause` when another error led to it.
 * Every subclass takes the same `(code, path, message, options?)` and has a static `isInstance`
 * that, unlike `instanceof`, also recognises errors made by another copy of its package.
 *
 * @example
 * ```ts
 * try { km.track({ userId: 'u1' }); }
 * catch (error) {
 *   if (KmError.isInstance(error)) console.log(error.code, error.path);
 * }
 * ```
 */
export class KmError<Code extends string = string> extends Error {
  /** A stable machine-readable reason: match on this, not on the message. */
  declare readonly code: Code;
  /** The input field or option at fault, as a property path (`event`, `spool.dir`). */
  declare readonly path: string;

  constructor(code: Code, path: string, message: string, options?: KmErrorOptions) {
    // Production builds pass no sentence (see `DEV`): the code and path still say what happened.
    super(
      message || terse(code, path),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    // Assigned here, not as class fields, so an ES2020 bundle needs no class-field helper.
    this.name = 'KmError';
    this.code = code;
    this.path = path;
    this.brand('KmError');
  }

  /** True for any kmkit error, also one made by another copy of a kmkit package. */
  static isInstance(error: unknown): error is KmError {
    return hasMark(error, 'KmError');
  }

  /** @internal Marks an instance of the subclass `name`; each subclass calls it once. */
  protected brand(name: string): void {
    this.name = name;
    (this as unknown as Record<symbol, boolean>)[marker(name)] = true;
  }

  /** @internal True when `error` is an instance of the subclass `name`, from any copy. */
  protected static hasBrand(error: unknown, name: string): boolean {
    return hasMark(error, name);
  }
}

/**
 * Thrown when input cannot be turned into Kissmetrics commands, or an option is wrong. Nothing of
 * the input was sent.
 *
 * @example
 * ```ts
 * try { parseEvent({ type: 'track', properties: {} }); }
 * catch (error) {
 *   if (KmValidationError.isInstance(error)) console.log(error.code, error.path); // missing_event_name event
 * }
 * ```
 */
export class KmValidationError extends KmError<KmErrorCode> {
  constructor(code: KmErrorCode, path: string, message: string, options?: KmErrorOptions) {
    super(code, path, message, options);
    this.brand('KmValidationError');
  }

  /** True for a {@link KmValidationError}, also one made by another copy of `@kmkit/core`. */
  static override isInstance(error: unknown): error is KmValidationError {
    return KmError.hasBrand(error, 'KmValidationError');
  }
}

/**
 * True for a {@link KmValidationError}, also one created by another copy of `@kmkit/core`.
 * The same as `KmValidationError.isInstance`.
 */
export function isKmValidationError(error: unknown): error is KmValidationError {
  return KmValidationError.isInstance(error);
}

/**
 * Something the mapping changed or left out while the rest of the event still went out.
 * `path` names the value in the input (`properties.products[2].price`).
 */
export interface KmWarning {
  readonly code: KmWarningCode;
  readonly path: string;
  readonly message: string;
}

/**
 * What a warning reports.
 *
 * - `invalid_timestamp`: unparseable timestamp, the clock was used.
 * - `invalid_field`: a field of the wrong type was ignored (e.g. `properties` that is a string).
 * - `unsupported_value`: a function or symbol was dropped.
 * - `non_finite_number`: NaN or an infinity was dropped.
 * - `circular_reference`: a cycle was cut.
 * - `reserved_key`: a key equal to a control parameter (`_p`, `_n`, ...) was dropped.
 * - `key_collision`: two keys became the same Kissmetrics name; the later one was kept.
 * - `name_too_long`: a property name over the limit was dropped.
 * - `value_truncated`: a value over the limit was cut to it.
 * - `malformed_string`: a lone UTF-16 surrogate was replaced by U+FFFD.
 * - `invalid_revenue`: `revenue` (or `total`) could not be read as a number; no `Billing Amount`.
 * - `invalid_products`: `products` is not an array; no product rows were sent.
 * - `invalid_product`: one item of `products` is not an object and was skipped.
 * - `empty_name`: a property with an empty name (`""`) was dropped: Kissmetrics cannot store it.
 */
export type KmWarningCode =
  | 'invalid_timestamp'
  | 'invalid_field'
  | 'unsupported_value'
  | 'non_finite_number'
  | 'circular_reference'
  | 'reserved_key'
  | 'key_collision'
  | 'name_too_long'
  | 'value_truncated'
  | 'malformed_string'
  | 'invalid_revenue'
  | 'invalid_products'
  | 'invalid_product'
  | 'empty_name';
