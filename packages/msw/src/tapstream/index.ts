export {
  type AttributeOptions,
  createTapstreamEmulator,
  type PostbackCall,
  TAPSTREAM_HOSTS,
  type TapstreamAccount,
  type TapstreamEmulator,
  type TapstreamEmulatorOptions,
  type TapstreamRoute,
} from './emulator.js';
export { MAX_EVENT_NAME_LENGTH, unsafeEventNameReason } from './event-name.js';
export { expandPostbackUrl, type PostbackContext, type PostbackTemplate } from './postbacks.js';
export { DEEPLINK_PARAMETER, type TimelineSummary, toTimelineSummary } from './summary.js';
export type {
  TapstreamAppEvent,
  TapstreamConversion,
  TapstreamHit,
  TapstreamSession,
  TapstreamTimeline,
} from './timelines.js';
export {
  TAPSTREAM_API,
  TAPSTREAM_TIMELINE_COOKIE,
  type TapstreamTrackerOptions,
  tapstreamTrackerScript,
} from './tracker-script.js';
