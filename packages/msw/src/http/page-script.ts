/** The source of `readCookie(name)` for the emulated page scripts: a cookie's decoded value, or null. */
export const READ_COOKIE_FUNCTION = `function readCookie(name) {
    var cookies = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < cookies.length; i++) {
      var separator = cookies[i].indexOf('=');
      if (cookies[i].slice(0, separator) !== name) continue;
      try {
        return decodeURIComponent(cookies[i].slice(separator + 1));
      } catch (error) {
        return null;
      }
    }
    return null;
  }`;

/**
 * Fills the `__NAME__` placeholders of a page-script template with JSON literals of `values`, so
 * that an option always lands as data, never as code (and a `$` is never a replacement pattern).
 */
export function fillScript(template: string, values: Readonly<Record<string, unknown>>): string {
  return template.replace(/__([A-Z_]+)__/g, (placeholder, name: string) =>
    Object.hasOwn(values, name) ? JSON.stringify(values[name]) : placeholder,
  );
}
