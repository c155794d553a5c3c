import { createKissmetrics } from '../node/create-kissmetrics.js';
import { createRelay, type KissmetricsRelay } from './create-relay.js';
import type { KissmetricsRelayOptions } from './relay-options.js';

/**
 * Creates a first-party relay for `@kmkit/browser`'s cloud mode: mount it on your own domain
 * (`app.use('/km', relay.listener)`) and give the browser client `endpoint: 'https://your.site/km'`,
 * so privacy lists that block Kissmetrics' hosts do not block your visitors' events.
 *
 * It takes exactly what cloud mode sends (`/e`, `/s`, `/a`, GET or form POST, beacons), answers
 * CORS for `allowedOrigins`, refuses every API key but yours, holds requests to kmkit's limits,
 * adds the visitor's `_ip` (socket, or `X-Forwarded-For` behind `trustedProxies`) and `_ua`, and
 * sends through a `@kmkit/node` client (adaptive concurrency, retries, the spool). The browser gets
 * its 200 only once the request is queued, and written to the spool when there is one; otherwise a
 * 503 with `Retry-After`, and it keeps the request and sends it again.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createKissmetricsRelay } from '@kmkit/node/relay';
 *
 * const relay = createKissmetricsRelay({
 *   apiKey: process.env.KM_API_KEY!,
 *   spool: { dir: '/var/lib/km-relay' },
 * });
 * createServer({ headersTimeout: 10_000, requestTimeout: 15_000 }, relay.listener).listen(8080);
 * ```
 *
 * @throws {KmValidationError} `invalid_option` naming a bad option.
 * @throws {KmSpoolError} when the spool directory is held by another live process or unwritable.
 */
export function createKissmetricsRelay(options: KissmetricsRelayOptions): KissmetricsRelay {
  return createRelay(options, createKissmetrics);
}
