/**
 * `@kmkit/node/relay`: a first-party endpoint for `@kmkit/browser`'s cloud mode, forwarding to
 * Kissmetrics through the `@kmkit/node` client (retries, adaptive concurrency, the spool).
 *
 * @packageDocumentation
 */
export { isKmValidationError, KmValidationError } from '@kmkit/core';
export { KmSpoolError } from '../spool/index.js';
export type { RelayAnswer, RelayRefusalReason } from './answers.js';
export { createKissmetricsRelay } from './create-kissmetrics-relay.js';
export type {
  KissmetricsRelay,
  RelayEvents,
  RelayHealth,
  RelayRequestInfo,
  RelayStats,
} from './create-relay.js';
export type { NodeListener } from './node-listener.js';
export {
  type MetricsRegistry,
  type RelayMetricsOptions,
  registerRelayMetrics,
} from './relay-metrics.js';
export type { KissmetricsRelayOptions, RelayDeliveryOptions } from './relay-options.js';
