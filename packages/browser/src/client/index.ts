export { type Calls, createCalls, type Deliver, identifyMessage, viewMessage } from './calls.js';
export { type ClientEvents, createClientEvents } from './events.js';
export { mappingOptions, positiveOption } from './options.js';
export type {
  BrowserWarning,
  CallName,
  ClientDrop,
  CommonOptions,
  InvalidCall,
  KissmetricsClient,
  KissmetricsEvents,
  KissmetricsStats,
  MappingWarning,
  Properties,
  ResetOptions,
} from './types.js';
