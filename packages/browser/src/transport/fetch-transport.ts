import { createFetchTransport, type Transport } from '@kmkit/core';

/** Options of {@link createBrowserTransport}. */
export interface BrowserTransportOptions {
  /** The `fetch` to use; default the page's, read at each request. */
  readonly fetch?: typeof fetch;
  /**
   * `cors` shows the answer's status (for a first-party proxy that sends CORS headers), so 5xx and
   * 429 are retried and `Retry-After` is honoured. Default `no-cors`: always allowed, but the status
   * is hidden, so only network failures are retried.
   */
  readonly mode?: 'cors' | 'no-cors';
}

/**
 * Browsers keep at most 64 KiB of `keepalive` request bodies in flight per page (beacons included):
 * requests within this budget outlive the page, the rest are sent without `keepalive`.
 */
export const KEEPALIVE_BUDGET = 48 * 1024;

/**
 * The cloud-mode transport: core's fetch transport with `keepalive` (within the budget), no cookies
 * and no HTTP cache, so a resend always reaches the server.
 */
export function createBrowserTransport(options: BrowserTransportOptions = {}): Transport {
  let keptAlive = 0;
  return createFetchTransport({
    init: { mode: options.mode ?? 'no-cors', credentials: 'omit', cache: 'no-store' },
    async fetch(url, init) {
      const size = typeof init?.body === 'string' ? init.body.length : 0;
      const keepalive = keptAlive + size <= KEEPALIVE_BUDGET;
      if (keepalive) keptAlive += size;
      try {
        return await (options.fetch ?? fetch)(url, { ...init, keepalive });
      } finally {
        if (keepalive) keptAlive -= size;
      }
    },
  });
}
