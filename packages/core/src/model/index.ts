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
  type KmErrorCode,
  KmValidationError,
  type KmWarning,
  type KmWarningCode,
} from './errors.js';
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
