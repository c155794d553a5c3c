import type { KissmetricsClient, Properties } from '../client/types.js';

/**
 * Records page views of a single-page app: now, and after every `history.pushState` or `popstate`
 * that changes the URL (`replaceState` is a correction, not a visit), with `url`, `path`, `search`,
 * `title` and `referrer` (the previous URL of the app, or `document.referrer` for the first page)
 * as properties of `client.page()`: `Loaded a Page`. A separate import, so a site that does not use
 * it does not ship it.
 *
 * @example
 * ```ts
 * import { createKissmetrics, trackPageViews } from '@kmkit/browser';
 * const stop = trackPageViews(createKissmetrics({ apiKey: 'your-api-key', mode: 'cloud' }));
 * ```
 *
 * @returns a function that stops recording.
 */
export function trackPageViews(client: Pick<KissmetricsClient, 'page'>): () => void {
  let last: string | undefined;
  let referrer = document.referrer;
  let tracking = true;
  const check = () => {
    const url = location.href;
    if (!tracking || url === last) return;
    if (last !== undefined) referrer = last;
    last = url;
    const properties: Properties = { url, path: location.pathname };
    // Empty values say nothing in a report: leave them out.
    if (location.search) properties.search = location.search;
    if (document.title) properties.title = document.title;
    if (referrer) properties.referrer = referrer;
    client.page(properties);
  };
  const { pushState } = history;
  history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
    pushState.apply(this, args);
    check();
  };
  addEventListener('popstate', check);
  check();
  return () => {
    tracking = false;
    removeEventListener('popstate', check);
  };
}
