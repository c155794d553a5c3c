import { type HttpHandler, HttpResponse, http } from 'msw';

/**
 * The hosts a privacy list blocks for Kissmetrics: the tracking API (`trk.`), the library and the
 * product scripts (`i.`, `scripts.`), on `.io` and the legacy `.com`.
 */
const KISSMETRICS_HOST = /^https?:\/\/([^/]+\.)?kissmetrics\.(io|com)(:\d+)?\//;

/** An ad-blocker in the visitor's browser, switched on and off by the page. */
export interface AdBlocker {
  /** The MSW handler, first in the worker's list: it fails the page's requests while on. */
  readonly handler: HttpHandler;
  /** Whether requests to the Kissmetrics hosts fail now. */
  on: boolean;
  /** Requests it failed so far. */
  blocked(): number;
}

/**
 * Fails every request of the page to a Kissmetrics host while `on`, as a network error: what an
 * extension's block looks like to the page (`fetch` rejects, an image fires `error`). While off
 * it lets the request through to the emulator. Only the page's own requests pass here: the relay
 * runs on the site's server, out of the visitor's browser (see `site-relay.ts`).
 */
export function createAdBlocker(): AdBlocker {
  let blocked = 0;
  const blocker: AdBlocker = {
    on: false,
    blocked: () => blocked,
    handler: http.all(KISSMETRICS_HOST, () => {
      if (!blocker.on) return undefined;
      blocked++;
      return HttpResponse.error();
    }),
  };
  return blocker;
}
