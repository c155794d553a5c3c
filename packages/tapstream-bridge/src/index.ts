/**
 * `@kmkit/tapstream-bridge`: joins Tapstream's mobile attribution with Kissmetrics identities, as
 * Tapstream's Kissmetrics integration describes it. On the website, `installTapstreamBridge`
 * hands the visitor's Kissmetrics identity to Tapstream with the page hit; in the app,
 * `lookupTimeline`, `extractKmIdentity` and `aliasOnboardedUser` alias the signed-in user to that
 * visitor once. Runs in browsers, React Native, Node and workers; the postback forwarder is in
 * `@kmkit/tapstream-bridge/server`.
 *
 * @packageDocumentation
 */
export { isKmValidationError, KmError, KmValidationError } from '@kmkit/core';
export {
  ALIAS_KEY_PREFIX,
  type AliasOnboardedUserOptions,
  type AliasOutcome,
  type AliasResult,
  type AliasStorage,
  type AliasStore,
  aliasKey,
  aliasOnboardedUser,
  createLocalStorageAliasStore,
  createMemoryAliasStore,
} from './alias/index.js';
export { KmBridgeError, type KmBridgeErrorCode } from './errors/index.js';
export { GENERIC_IDENTITIES, isGenericIdentity } from './identity/index.js';
export {
  DEFAULT_IDENTITY_PARAMETER,
  type ExtractKmIdentityOptions,
  extractKmIdentity,
  type LookupTimelineOptions,
  lookupTimeline,
  TAPSTREAM_REPORTING_ENDPOINT,
  type Timeline,
  type TimelineEvent,
  type TimelineHit,
  type TimelineSummary,
} from './timeline/index.js';
export {
  type ConsentState,
  DEFAULT_TRACKER,
  type IdentityUnavailable,
  installTapstreamBridge,
  type KmConsentSource,
  type KmIdentitySource,
  TAPSTREAM_SCRIPT_URL,
  type TapstreamBridge,
  type TapstreamBridgeOptions,
  type TapstreamHitResult,
} from './website/index.js';
