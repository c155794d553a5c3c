/**
 * `@kmkit/node/relay` on fetch-only runtimes (Cloudflare Workers, Vercel Edge): the relay through
 * the edge client, with no spool. No `node:` module and no undici in its module graph.
 *
 * @packageDocumentation
 */
export { isKmValidationError, KmValidationError } from '@kmkit/core';
export type { RelayAnswer, RelayRefusalReason } from '../answers.js';
export { createKissmetricsRelay } from '../create-edge-relay.js';
export type {
  KissmetricsRelay,
  RelayEvents,
  RelayHealth,
  RelayRequestInfo,
  RelayStats,
} from '../create-relay.js';
export type { NodeListener } from '../node-listener.js';
export type {
  EdgeKissmetricsRelayOptions as KissmetricsRelayOptions,
  RelayDeliveryOptions,
} from '../relay-options.js';
