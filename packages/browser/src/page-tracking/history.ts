import type { Properties } from '../client/types.js';

/**
 * Calls `onPage` with the page's properties now and after every `history.pushState` or `popstate`
 * that changes the URL (single-page app navigations; `replaceState` is a correction, not a visit).
 * `referrer` is the previous URL of the app, or `document.referrer` for the first page.
 */
export function trackHistory(onPage: (properties: Properties) => void): void {
  let last: string | undefined;
  let referrer = document.referrer;
  const check = () => {
    const url = location.href;
    if (url === last) return;
    if (last !== undefined) referrer = last;
    last = url;
    const properties: Properties = { url, path: location.pathname };
    // Empty values say nothing in a report: leave them out.
    if (location.search) properties.search = location.search;
    if (document.title) properties.title = document.title;
    if (referrer) properties.referrer = referrer;
    onPage(properties);
  };
  const { pushState } = history;
  history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
    pushState.apply(this, args);
    check();
  };
  addEventListener('popstate', check);
  check();
}
