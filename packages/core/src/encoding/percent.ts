// Lone surrogates make encodeURIComponent throw; the mapping already replaces them (with a
// warning), so this path only runs for commands built by hand. In a `u` regex a surrogate pair is
// one code point, so `\p{Cs}` matches lone surrogates only (no lookbehind, which Safari before 16.4
// cannot parse: the whole bundle would fail to load there).
function toWellFormed(value: string): string {
  return value.replace(/\p{Cs}/gu, '\uFFFD');
}

// The characters encodeURIComponent leaves as they are: A-Z a-z 0-9 - _ . ! ~ * ' ( ).
// Built by a pure call, so that a bundle which never encodes (the browser's device mode) drops it.
const UNRESERVED = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128);
  for (const char of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()") {
    table[char.charCodeAt(0)] = 1;
  }
  return table;
})();

/**
 * Percent-encodes a key or value for a query string or form body. Every reserved character is
 * encoded, so Base64 identities keep their `+`, `/` and `=`. Never throws.
 */
export function percentEncode(value: string): string {
  // Most names and many values need no escaping: a scan is cheaper than the native call.
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (UNRESERVED[code] !== 1) return encodeSlow(value);
  }
  return value;
}

function encodeSlow(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(toWellFormed(value));
  }
}
