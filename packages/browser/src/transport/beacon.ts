import type { TrackingRequest } from '@kmkit/core';

/** How {@link sendBeacons} reaches the network. */
export interface BeaconSenders {
  /** `navigator.sendBeacon`, bound. */
  readonly sendBeacon: (url: string, data: Blob) => boolean;
  /** For `/a`, which Kissmetrics documents as GET only. */
  readonly fetch: typeof fetch;
  readonly mode: 'cors' | 'no-cors';
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * Last-chance sending while the page is hidden or left: `/e` and `/s` as beacons (a POST with the
 * request's form-encoded parameters, which Kissmetrics accepts), `/a` as a `keepalive` GET. Stops at
 * the first beacon the browser refuses (its budget is full). Beacons are never acknowledged, so the
 * requests stay queued: what did not arrive is sent again, and Kissmetrics drops duplicates by `_t`.
 *
 * @returns the requests handed to the browser, in order.
 */
export function sendBeacons(
  requests: readonly TrackingRequest[],
  senders: BeaconSenders,
): TrackingRequest[] {
  // Called unbound: a fetch called as a method of another object throws "Illegal invocation".
  const { sendBeacon, fetch: get, mode } = senders;
  const sent: TrackingRequest[] = [];
  for (const request of requests) {
    const query = request.url.indexOf('?');
    const path = query === -1 ? request.url : request.url.slice(0, query);
    if (path.endsWith('/a')) {
      get(request.url, { keepalive: true, mode, credentials: 'omit', cache: 'no-store' }).catch(
        () => {
          // Still queued: sent again later.
        },
      );
    } else {
      const body = request.body ?? request.url.slice(query + 1);
      if (!sendBeacon(path, new Blob([body], { type: FORM }))) break;
    }
    sent.push(request);
  }
  return sent;
}
