import type { Transport } from './types.js';

/** Options of {@link createFetchTransport}. */
export interface FetchTransportOptions {
  /** The `fetch` to use; default the global one. Inject a proxying or instrumented fetch here. */
  readonly fetch?: typeof fetch;
  /** Extra `RequestInit` for every request, e.g. `{ keepalive: true }` in browsers. */
  readonly init?: RequestInit;
}

/**
 * A transport over `fetch`, for every runtime that has one (browsers, Node 18+, Deno, Bun, edge
 * workers). An opaque answer (a `no-cors` request) counts as delivered: the browser only hides its
 * status, and network failures still reject and are retried.
 */
export function createFetchTransport(options: FetchTransportOptions = {}): Transport {
  const init = options.init ?? {};
  return {
    async send(request, signal) {
      const doFetch = options.fetch ?? globalThis.fetch;
      const response = await doFetch(request.url, {
        ...init,
        method: request.method,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.headers === undefined ? {} : { headers: request.headers }),
        signal,
      });
      const retryAfter = response.headers.get('retry-after');
      // Read the (tiny) body so keep-alive connections are released for the next request.
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.type === 'opaque' ? 200 : response.status, retryAfter };
    },
  };
}
