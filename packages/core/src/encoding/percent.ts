// Lone surrogates make encodeURIComponent throw; the mapping already replaces them (with a
// warning), so this path only runs for commands built by hand.
function toWellFormed(value: string): string {
  return value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

/**
 * Percent-encodes a key or value for a query string or form body. Every reserved character is
 * encoded, so Base64 identities keep their `+`, `/` and `=`. Never throws.
 */
export function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(toWellFormed(value));
  }
}
