/**
 * `@kmkit/browser/device`: device mode only (the Kissmetrics JS library sends), without the cloud
 * delivery engine, for the smallest bundle.
 *
 * @packageDocumentation
 */
export type * from '../client/types.js';
export { trackPageViews } from '../page-tracking/track-page-views.js';
export {
  createDeviceClient as createKissmetrics,
  type DeviceOptions,
} from './device-client.js';
export { KmLibraryError } from './library-error.js';
export type { KissmetricsHosts } from './snippet.js';
