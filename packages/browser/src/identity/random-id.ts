/**
 * A random id of `bytes` random bytes in URL-safe Base64 (`A-Z a-z 0-9 - _`, no padding), safe in
 * cookies, storage keys and URLs. Uses `crypto.getRandomValues`, else `random`.
 */
export function randomId(bytes: number, random: () => number): string {
  const values = new Uint8Array(bytes);
  // Insecure (http) pages still have getRandomValues; only very old browsers lack crypto.
  if (typeof globalThis.crypto?.getRandomValues === 'function') crypto.getRandomValues(values);
  else for (let i = 0; i < bytes; i++) values[i] = Math.floor(random() * 256);
  return btoa(String.fromCharCode(...values))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
