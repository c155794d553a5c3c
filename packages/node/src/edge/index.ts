/**
 * `@kmkit/node/edge`: the Kissmetrics client for fetch-only runtimes. No `node:` module and no
 * undici in its module graph.
 *
 * @packageDocumentation
 */

export { isKmValidationError, KmValidationError } from '@kmkit/core';
export type {
  CallResult,
  ClientEventName,
  ClientEvents,
  ClientOptions,
  ClientStats,
  KissmetricsClient,
  MappingWarning,
  PluginDrop,
  SpoolFullDrop,
  TransportWarning,
} from '../client/index.js';
export { createKissmetrics, type EdgeKissmetricsOptions } from './create-kissmetrics.js';
