export {
  DEFAULT_IDENTITY_PARAMETER,
  type ExtractKmIdentityOptions,
  extractKmIdentity,
} from './extract-km-identity.js';
export {
  type LookupTimelineOptions,
  lookupTimeline,
  TAPSTREAM_REPORTING_ENDPOINT,
} from './lookup-timeline.js';
export type { Timeline, TimelineEvent, TimelineHit, TimelineSummary } from './timeline.js';
