/** Reads a first-party cookie, URL-decoded; undefined when absent, empty, or when cookies are off. */
export function readCookie(name: string): string | undefined {
  let cookies: string;
  try {
    cookies = document.cookie;
  } catch {
    return undefined;
  }
  for (const pair of cookies.split(';')) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim() !== name) continue;
    const value = pair.slice(at + 1).trim();
    if (value === '') return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** Writes (or, without a value, expires) a first-party cookie for the whole site path, for a year. */
export function writeCookie(name: string, value: string | undefined): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing in Safari and Firefox.
    document.cookie = `${name}=${value === undefined ? '' : encodeURIComponent(value)}; path=/; max-age=${value === undefined ? 0 : 31_536_000}; SameSite=Lax${secure}`;
  } catch {
    // Cookies are off (sandboxed frame): the caller keeps the value in memory.
  }
}
