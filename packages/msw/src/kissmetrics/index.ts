export {
  createKissmetricsEmulator,
  KISSMETRICS_HOSTS,
  type KissmetricsEmulator,
  type KissmetricsEmulatorOptions,
  type KissmetricsRoute,
  type ReceivedTrackingRequest,
  type TrackingStatus,
} from './emulator.js';
export {
  KISSMETRICS_TRACKING_ENDPOINT,
  type KissmetricsLibraryOptions,
  kissmetricsLibraryScript,
  type LibraryAutoEvents,
} from './library-script.js';
export { kissmetricsNameKey, toKissmetricsName } from './names.js';
export type { KissmetricsEvent, KissmetricsPerson, PropertyChange } from './people.js';
export type { TrackingLimits, TrackingPath, TrackingRejection } from './tracking-rules.js';
