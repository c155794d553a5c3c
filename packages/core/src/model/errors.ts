/**
 * Why an input was refused. Stable: match on these, not on messages.
 *
 * - `invalid_json`: a string input that is not JSON.
 * - `invalid_message`: the input (or a field that must be an object) has the wrong type.
 * - `unknown_type`: `type` is missing or not one of identify, track, page, screen, alias, group.
 * - `missing_identity`: neither a usable `userId` nor an `anonymousId` (cloud mode needs `_p`).
 * - `missing_event_name`: a track without a non-empty `event`.
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
  | 'missing_user_id'
  | 'missing_previous_id'
  | 'missing_group_id'
  | 'name_too_long'
  | 'generic_identity'
  | 'self_alias'
  | 'invalid_option'
  | 'not_encodable';

/**
 * Thrown when input cannot be turned into Kissmetrics commands. Nothing of the input was sent.
 *
 * @example
 * ```ts
 * try { parseEvent({ type: 'track', properties: {} }); }
 * catch (error) {
 *   if (error instanceof KmValidationError) console.log(error.code, error.path); // missing_event_name event
 * }
 * ```
 */
export class KmValidationError extends Error {
  override readonly name = 'KmValidationError';
  /** A stable machine-readable reason. */
  readonly code: KmErrorCode;
  /** Where in the input the problem is, as a property path (`event`, `properties.products[2]`). */
  readonly path: string;

  constructor(code: KmErrorCode, path: string, message: string) {
    super(message);
    this.code = code;
    this.path = path;
  }
}

/** True for a {@link KmValidationError}, also one created by another copy of `@kmkit/core`. */
export function isKmValidationError(error: unknown): error is KmValidationError {
  return (
    error instanceof KmValidationError ||
    (error instanceof Error &&
      error.name === 'KmValidationError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
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
