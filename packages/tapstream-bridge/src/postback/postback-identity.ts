/**
 * A postback's identity as Kissmetrics gets it: trimmed (Tapstream passes on whatever the hit
 * carried, spaces included), or `invalid` with why when it holds what no person name should: a
 * control character (`%00`, a newline inside it...), or text that was not UTF-8 (a truncated
 * sequence, decoded to U+FFFD, or a lone surrogate). Such a value is a damaged copy of a real
 * identity: recorded as received, it would make a new person that never joins the visitor.
 */
export type PostbackIdentity =
  | { readonly identity: string }
  | { readonly invalid: 'control_character' | 'not_utf8' };

// C0, DEL and C1 controls (Unicode category Cc).
const CONTROL = /\p{Cc}/u;
// U+FFFD: what a decoder leaves for bytes that are not UTF-8; or a surrogate without its pair.
const NOT_UTF8 = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Normalises a postback's identity value; see {@link PostbackIdentity}. */
export function normalizePostbackIdentity(value: string): PostbackIdentity {
  const identity = value.trim();
  if (CONTROL.test(identity)) return { invalid: 'control_character' };
  if (NOT_UTF8.test(identity)) return { invalid: 'not_utf8' };
  return { identity };
}
