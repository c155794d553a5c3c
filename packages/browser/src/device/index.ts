/**
 * `@kmkit/browser/device`: device mode only (the Kissmetrics JS library sends), without the cloud
 * delivery engine, for the smallest bundle.
 *
 * @packageDocumentation
 */
import type { KissmetricsClient } from '../client/types.js';
import { createDeviceClient, type DeviceOptions } from './device-client.js';

export type * from '../client/types.js';
export type { DeviceOptions } from './device-client.js';
export { KmLibraryError } from './library-error.js';
export type { KissmetricsHosts } from './snippet.js';

/**
 * Creates a device-mode client: loads the Kissmetrics JS (`i.js` and `<key>.2.js`) and drives
 * `window._kmq`.
 *
 * @example
 * ```ts
 * import { createKissmetrics } from '@kmkit/browser/device';
 * const km = createKissmetrics({ apiKey: 'your-api-key' });
 * km.page('home'); // ['record', 'Viewed home page']
 * ```
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey` or a bad option.
 */
export function createKissmetrics(options: DeviceOptions): KissmetricsClient {
  return createDeviceClient(options);
}
