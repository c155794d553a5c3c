import { createFetchTransport } from '@kmkit/core';
import { checkOptions, type OptionsSpecOf } from '@kmkit/core/internal';
import { CLIENT_OPTIONS } from '../client/client-options.js';
import { type ClientOptions, createClient, type KissmetricsClient } from '../client/index.js';

/** Options of the client for fetch-only runtimes (edge functions, workers). */
export interface EdgeKissmetricsOptions extends ClientOptions {
  /** The `fetch` to send with. Default the global one. */
  readonly fetch?: typeof fetch;
}

/** The rules of {@link EdgeKissmetricsOptions}, for `checkOptions`. */
const EDGE_OPTIONS = {
  ...CLIENT_OPTIONS,
  fetch: 'function',
} as const satisfies OptionsSpecOf<EdgeKissmetricsOptions>;

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
 *
 * @throws {KmValidationError} `invalid_option` naming the option: no options object, a missing
 * `apiKey`, an unknown option (with the one it most likely meant), a value of the wrong type, an
 * unknown `preset`, a bad `endpoint`.
 */
export function createKissmetrics(options: EdgeKissmetricsOptions): KissmetricsClient {
  checkOptions(options, EDGE_OPTIONS, 'createKissmetrics');
  const { fetch, ...clientOptions } = options;
  return createClient(clientOptions, {
    transport: createFetchTransport(fetch === undefined ? {} : { fetch }),
  });
}
