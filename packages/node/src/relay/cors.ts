// Which pages may send through the relay, and the CORS headers that let them read its answers.

/** The origins a relay serves besides its own: exact origins, or `'*'` for any page. */
export type AllowedOrigins = ReadonlySet<string> | '*';

/** How long a browser may keep a preflight's answer: a day. */
const PREFLIGHT_MAX_AGE = '86400';

/**
 * True when a page of `origin` may send: no `Origin` header (a same-origin GET, a server, an old
 * browser), the relay's own host (`host` is the `Host` header the request arrived with), or a
 * configured origin. `Origin: null` (a sandboxed frame, a `file:` page) is refused unless `'*'`.
 * This is checked on the server, so it also holds for `no-cors` requests and beacons, whose
 * answers the browser would not let a refused page read anyway.
 */
export function originAllowed(
  origin: string | null | undefined,
  host: string | null | undefined,
  allowed: AllowedOrigins,
): boolean {
  if (origin === null || origin === undefined || allowed === '*') return true;
  if (allowed.has(origin)) return true;
  if (!host || origin === 'null') return false;
  const at = origin.indexOf('//');
  return at !== -1 && origin.slice(at + 2).toLowerCase() === host.toLowerCase();
}

/** The headers that let an allowed cross-origin page read an answer (none without `Origin`). */
export function corsHeaders(origin: string | null | undefined): Record<string, string> {
  if (!origin) return {};
  // The origin itself rather than "*", so that the answer suits credentialed requests (beacons).
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/** The answer headers of a preflight from an allowed origin. */
export function preflightHeaders(origin: string | null | undefined): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'access-control-allow-methods': 'GET, POST',
    // A kmkit page sends no header that needs allowing; another client's `content-type` is fine.
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': PREFLIGHT_MAX_AGE,
    'cache-control': 'no-store',
  };
}
