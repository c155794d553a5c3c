export { type ClientContext, createClient, type Destination, invalidOption } from './client.js';
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
