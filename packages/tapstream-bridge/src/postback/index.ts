export type {
  PostbackAnswer,
  PostbackOutcome,
  PostbackReason,
  TapstreamPostback,
} from './postback.js';
export {
  checkIdentityField,
  POSTBACK_PARAMETERS,
  type PostbackUrlTemplateOptions,
  postbackUrlTemplate,
} from './postback-url-template.js';
export { isPostback, type PostbackReading, readPostback } from './read-postback.js';
export { createSecretCheck } from './secret.js';
