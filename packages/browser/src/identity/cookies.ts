/** Reads a first-party cookie, URL-decoded; undefined when absent, empty, or when cookies are off. */
export function readCookie(name: string): string | undefined {
  try {
    const value = document.cookie.match(`(?:^|; )${name}=([^;]+)`)?.[1];
    return value && decodeURIComponent(value);
  } catch {
    // Cookies are off (a sandboxed frame), or the value is not URL-encoded.
    return undefined;
  }
}

/** Writes (or, without a value, expires) a first-party cookie for the whole site, for a year. */
export function writeCookie(name: string, value: string | undefined): void {
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing in Safari and Firefox.
    document.cookie = `${name}=${value ? encodeURIComponent(value) : ''}; path=/; max-age=${value ? 31_536_000 : 0}; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
  } catch {
    // Cookies are off: the caller keeps the value in memory.
  }
}
