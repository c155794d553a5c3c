/** What the Kissmetrics JS library and its loader put on `window`. */
export interface KissmetricsWindow {
  /** The command queue: an array until the library loads, then an object that runs at once. */
  _kmq?: { push(...items: unknown[]): unknown };
  /** The API key the library sends with (`_k`). */
  _kmk?: string;
  /** The library, once loaded: `KM.i()` is the current identity. */
  KM?: { i(): unknown };
}

/** Where the two Kissmetrics scripts come from: a host (`i.kissmetrics.com`) or a base URL. */
export interface KissmetricsHosts {
  /** The core library `i.js`. Default `i.kissmetrics.io`. */
  readonly library?: string;
  /** The per-product `<key>.2.js`. Default `scripts.kissmetrics.io`. */
  readonly scripts?: string;
}

/** Options of {@link installSnippet}. */
export interface SnippetOptions {
  readonly apiKey: string;
  readonly hosts?: KissmetricsHosts;
  /** Set on both script elements, for a Content-Security-Policy with `'nonce-...'`. */
  readonly nonce?: string;
  /** Called when a script fails to load (blocked by an ad-blocker or a CSP, or offline). */
  readonly onBlocked?: (src: string) => void;
}

// A bare host becomes protocol-relative, as in Kissmetrics' own snippet.
function base(host: string | undefined, fallback: string): string {
  const value = host ?? fallback;
  return (value.includes('//') ? value : `//${value}`).replace(/\/+$/, '');
}

/** The Kissmetrics window: the page's own `window`, typed. */
export const kmWindow = (): KissmetricsWindow => window as unknown as KissmetricsWindow;

/**
 * Does what Kissmetrics' snippet does: `window._kmq` and `window._kmk`, then the core library
 * `i.js` and the product script `<key>.2.js`, both async. A script already on the page (from an
 * earlier call or the site's own snippet) is not added again.
 */
export function installSnippet(options: SnippetOptions): void {
  const w = kmWindow();
  w._kmq ??= [];
  w._kmk ||= options.apiKey;
  const sources = [
    `${base(options.hosts?.library, 'i.kissmetrics.io')}/i.js`,
    `${base(options.hosts?.scripts, 'scripts.kissmetrics.io')}/${encodeURIComponent(options.apiKey)}.2.js`,
  ];
  const present = new Set(
    Array.from(document.getElementsByTagName('script'), (script) => script.getAttribute('src')),
  );
  for (const src of sources) {
    if (present.has(src)) continue;
    const script = document.createElement('script');
    script.async = true;
    script.src = src;
    // As webpack does: the attribute sets the element's nonce for CSP, and stays inspectable.
    if (options.nonce) script.setAttribute('nonce', options.nonce);
    script.addEventListener('error', () => options.onBlocked?.(src));
    (document.head ?? document.documentElement).appendChild(script);
  }
}
