export {
  type CallResult,
  type ClientOptions,
  type ClientRuntime,
  type ClientStats,
  createClient,
  DEFAULT_INITIAL_CONCURRENCY,
  DEFAULT_MAX_CONCURRENCY,
  type KissmetricsClient,
} from './client.js';
export type {
  ClientEventName,
  ClientEvents,
  MappingWarning,
  PluginDrop,
  SpoolFullDrop,
  TransportWarning,
} from './events.js';
