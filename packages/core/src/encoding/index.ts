export { toImportRecord } from './import-record.js';
export { type KmqCommand, toKmq } from './kmq.js';
export {
  type ParsedTrackingRequest,
  parseTrackingRequest,
  type TrackingRequestLike,
} from './parse-tracking-request.js';
export {
  DEFAULT_ENDPOINT,
  DEFAULT_MAX_QUERY_BYTES,
  type TrackingRequest,
  type TrackingRequestOptions,
  toTrackingRequest,
} from './tracking-request.js';
