export {
  createMessagePreparer,
  type MessageMappingOptions,
  type MessagePreparer,
  type PreparedMessage,
} from './prepare-message.js';
