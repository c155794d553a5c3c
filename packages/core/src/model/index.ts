export {
  CONTROL_PARAMETERS,
  type KmAliasCommand,
  type KmClearIdentityCommand,
  type KmCommand,
  type KmIdentifyCommand,
  type KmProperties,
  type KmRecordCommand,
  type KmSetCommand,
  type KmValue,
  type KmWireCommand,
} from './command.js';
export {
  isKmValidationError,
  KmError,
  type KmErrorCode,
  type KmErrorOptions,
  KmValidationError,
  type KmWarning,
  type KmWarningCode,
} from './errors.js';
export {
  isKmEvent,
  KM_EVENT,
  type KmAliasEvent,
  type KmEvent,
  type KmEventBase,
  type KmEventProperties,
  type KmEventType,
  type KmGroupEvent,
  type KmIdentifyEvent,
  type KmPageEvent,
  type KmScreenEvent,
  type KmTrackEvent,
} from './event.js';
export { DEFAULT_LIMITS, type KmLimits, type ResolvedKmLimits } from './limits.js';
export type {
  AliasMessage,
  GroupMessage,
  IdentifyMessage,
  PageMessage,
  ScreenMessage,
  SpecMessage,
  SpecMessageBase,
  SpecMessageType,
  SpecTimestamp,
  TrackMessage,
} from './message.js';
export { type KmMode, type ParseOptions, parseEvent } from './parse-event.js';
