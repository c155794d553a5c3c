/**
 * `@kmkit/tapstream-bridge/server`: the forwarder that receives Tapstream's postbacks of
 * attributed app events and records them in Kissmetrics, and the postback URL to paste into
 * Tapstream. Server only (it uses `@kmkit/node`): bundlers targeting browsers cannot resolve it.
 *
 * @packageDocumentation
 */
export { isKmValidationError, KmValidationError } from '@kmkit/core';
export {
  createTapstreamForwarder,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_PART_TIMEOUT_MS,
  type ForwarderEvents,
  type ForwarderServerOptions,
  type ForwarderStats,
  type NodeListener,
  type TapstreamForwarder,
  type TapstreamForwarderOptions,
} from '../forwarder/index.js';
export { GENERIC_IDENTITIES, isGenericIdentity } from '../identity/index.js';
export {
  POSTBACK_PARAMETERS,
  type PostbackAnswer,
  type PostbackOutcome,
  type PostbackReason,
  type PostbackUrlTemplateOptions,
  postbackUrlTemplate,
  type TapstreamPostback,
} from '../postback/index.js';
