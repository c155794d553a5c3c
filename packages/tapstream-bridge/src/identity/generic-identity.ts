/**
 * Values that are not a person but a placeholder or a bug (`String(undefined)`). Aliasing one of
 * them is irreversible and would merge every user who got it into one person, so kmkit refuses
 * them. Compared trimmed and case-insensitively.
 */
export const GENERIC_IDENTITIES: ReadonlySet<string> = new Set([
  '',
  'guest',
  'anonymous',
  'anon',
  'null',
  'undefined',
  'nan',
  'nil',
  'none',
  'unknown',
  '[object object]',
]);

/** True when `value` is empty or a placeholder such as `guest` or `undefined` (see {@link GENERIC_IDENTITIES}). */
export function isGenericIdentity(value: string): boolean {
  return GENERIC_IDENTITIES.has(value.trim().toLowerCase());
}
