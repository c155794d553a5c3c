export {
  createTapstreamForwarder,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_PART_TIMEOUT_MS,
  type ForwarderEvents,
  type ForwarderServerOptions,
  type ForwarderStats,
  type TapstreamForwarder,
  type TapstreamForwarderOptions,
} from './create-tapstream-forwarder.js';
export type { NodeListener } from './node-listener.js';
