/** What the Kissmetrics JS library and its loader put on `window`. */
export interface KissmetricsWindow {
  /** The command queue: an array until the library loads, then an object that runs at once. */
  _kmq: { push(...items: unknown[]): unknown };
  /** The API key the library sends with (`_k`). */
  _kmk?: string;
  /** The library, once loaded: `KM.i()` is the current identity. */
  KM: { i(): unknown };
}

/** Where the two Kissmetrics scripts come from: a host (`i.kissmetrics.com`) or a base URL. */
export interface KissmetricsHosts {
  /** The core library `i.js`. Default `i.kissmetrics.io`. */
  readonly library?: string;
  /** The per-product `<key>.2.js`. Default `scripts.kissmetrics.io`. */
  readonly scripts?: string;
}

/**
 * The page's `window`, with what the Kissmetrics JS puts there. `globalThis`, so that importing
 * this module on a server (where there is no `window`) touches nothing.
 */
export const kmWindow = globalThis as unknown as KissmetricsWindow;

// A bare host becomes protocol-relative, as in Kissmetrics' own snippet.
const base = (host: string) => (host.includes('//') ? host : `//${host}`).replace(/\/+$/, '');

/** Options of {@link installSnippet}. */
export interface SnippetOptions {
  readonly apiKey: string;
  /** Where the scripts come from. */
  readonly hosts?: KissmetricsHosts;
  /** Set on both script elements, for a Content-Security-Policy with `'nonce-...'`. */
  readonly nonce?: string;
}

/**
 * Does what Kissmetrics' snippet does: `window._kmq` and `window._kmk`, then the core library
 * `i.js` and the product script `<key>.2.js`, both async. A script already on the page (from an
 * earlier call or the site's own snippet) is not added again. `onBlocked` hears of a script that
 * fails to load (an ad-blocker, a CSP, no network).
 */
export function installSnippet(
  { apiKey, hosts = {}, nonce }: SnippetOptions,
  onBlocked: (src: string) => void,
): void {
  kmWindow._kmq ??= [];
  kmWindow._kmk ||= apiKey;
  for (const src of [
    `${base(hosts.library ?? 'i.kissmetrics.io')}/i.js`,
    `${base(hosts.scripts ?? 'scripts.kissmetrics.io')}/${encodeURIComponent(apiKey)}.2.js`,
  ]) {
    if ([...document.scripts].some((script) => script.getAttribute('src') === src)) continue;
    const script = document.createElement('script');
    script.async = true;
    script.src = src;
    // As webpack does: the attribute sets the element's nonce for CSP, and stays inspectable.
    if (nonce) script.setAttribute('nonce', nonce);
    script.onerror = () => onBlocked(src);
    document.head.append(script);
  }
}
