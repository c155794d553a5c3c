import type { TrackingRequest, Transport } from '@kmkit/core';
import { createFetchTransport } from '@kmkit/core';

/**
 * Browsers keep at most 64 KiB of `keepalive` request bodies in flight per page (beacons included):
 * this much is shared by the requests in flight, so that they outlive the page together.
 */
export const KEEPALIVE_BUDGET = 48 * 1024;

/** The cloud-mode transport, and what it can still send while the page goes away. */
export interface BrowserTransport extends Transport {
  /**
   * Last-chance sending while the page is hidden or left: `/e` and `/s` as beacons (a POST of the
   * request's form-encoded parameters, which Kissmetrics accepts), `/a` (documented as GET only)
   * as a `keepalive` GET. Skips what was beaconed already, and stops at the first beacon the
   * browser refuses (its budget is full). Beacons are never acknowledged: the requests stay
   * queued, what did not arrive is sent again, and Kissmetrics drops duplicates by `_t`.
   */
  beacon(requests: readonly TrackingRequest[]): void;
}

/**
 * Core's fetch transport, without cookies or HTTP cache (a resend always reaches the server), and
 * with `keepalive` for every request whose body fits its share of {@link KEEPALIVE_BUDGET} among
 * `concurrency` requests in flight. `mode: 'cors'` shows the answer's status (for a first-party
 * proxy that sends CORS headers); `no-cors` is always allowed but hides the status, so only
 * network failures are retried.
 */
export function createBrowserTransport(
  mode: 'cors' | 'no-cors',
  concurrency: number,
  fetcher: typeof fetch = (url, init) => fetch(url, init),
): BrowserTransport {
  const init: RequestInit = { mode, credentials: 'omit', cache: 'no-store' };
  const beaconed = new WeakSet<TrackingRequest>();
  return {
    ...createFetchTransport({
      init,
      fetch: (url, requestInit) =>
        fetcher(url, {
          ...requestInit,
          keepalive: !((requestInit!.body as string)?.length > KEEPALIVE_BUDGET / concurrency),
        }),
    }),
    beacon(requests) {
      for (const request of requests) {
        if (beaconed.has(request)) continue;
        const [path, query] = request.url.split('?') as [string, string];
        if (path.endsWith('/a')) {
          // Still queued if it fails: sent again later.
          fetcher(request.url, { ...init, keepalive: true }).catch(() => {});
        } else if (
          !navigator.sendBeacon?.(
            path,
            new Blob([request.body ?? query], { type: 'application/x-www-form-urlencoded' }),
          )
        ) {
          return;
        }
        beaconed.add(request);
      }
    },
  };
}
