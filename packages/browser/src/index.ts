/**
 * `@kmkit/browser`: Kissmetrics for websites. Device mode drives the Kissmetrics JS library;
 * cloud mode sends from a persisted, bounded queue shared by the site's tabs, with `fetch`,
 * `keepalive` and `sendBeacon`, so nothing is lost on page unload.
 *
 * @packageDocumentation
 */
import { invalidOption } from './client/client.js';
import type { KissmetricsClient } from './client/types.js';
import { type CloudOptions, createCloudClient } from './cloud/cloud-client.js';
import { createDeviceClient, type DeviceOptions } from './device/device-client.js';

export type { AutoEventsOption } from './auto-events/index.js';
export type * from './client/types.js';
export type { CloudOptions } from './cloud/cloud-client.js';
export type { DeviceOptions } from './device/device-client.js';
export { KmLibraryError } from './device/library-error.js';
export type { KissmetricsHosts } from './device/snippet.js';
export { trackPageViews } from './page-tracking/track-page-views.js';

/** Options of {@link createKissmetrics}: `mode` picks device or cloud mode. */
export type KissmetricsOptions = (DeviceOptions & { readonly mode: 'device' }) | CloudOptions;

/**
 * Creates a Kissmetrics client. `mode: 'device'` loads the Kissmetrics JS and drives `_kmq`;
 * `mode: 'cloud'` sends to the tracking API from a queue persisted in `localStorage`.
 *
 * @example
 * ```ts
 * import { createKissmetrics } from '@kmkit/browser';
 * const km = createKissmetrics({ apiKey: 'your-api-key', mode: 'cloud' });
 * km.identify('user-1', { plan: 'pro' });
 * km.track('Signed Up', { source: 'landing' });
 * km.page('home', { path: location.pathname });
 * ```
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey` or `mode`, or a bad option.
 */
export function createKissmetrics(options: KissmetricsOptions): KissmetricsClient {
  const mode = options?.mode;
  if (mode === 'device') return createDeviceClient(options);
  if (mode === 'cloud') return createCloudClient(options);
  throw invalidOption('mode', "must be 'device' or 'cloud'");
}
