import { createFetchTransport } from '@kmkit/core';
import { type ClientOptions, createClient, type KissmetricsClient } from '../client/index.js';

/** Options of the client for fetch-only runtimes (edge functions, workers). */
export interface EdgeKissmetricsOptions extends ClientOptions {
  /** The `fetch` to send with. Default the global one. */
  readonly fetch?: typeof fetch;
}

/**
 * Creates the Kissmetrics client for runtimes that only have `fetch` (Cloudflare Workers, Vercel
 * Edge, Deno, Bun): the same calls, queue, retries and caps as on Node, with no file spool. Pass
 * `waitUntil` (or await `flush()`) so the platform lets delivery finish.
 *
 * @example
 * ```ts
 * const km = createKissmetrics({ apiKey: env.KM_API_KEY, waitUntil: (p) => ctx.waitUntil(p) });
 * km.track({ userId: 'bob', event: 'Signed Up' });
 * ```
 */
export function createKissmetrics(options: EdgeKissmetricsOptions): KissmetricsClient {
  const { fetch, ...clientOptions } = options;
  return createClient(clientOptions, {
    transport: createFetchTransport(fetch === undefined ? {} : { fetch }),
  });
}
