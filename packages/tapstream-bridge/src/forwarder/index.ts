export {
  createTapstreamForwarder,
  DEFAULT_MAX_BODY_BYTES,
  type ForwarderEvents,
  type ForwarderStats,
  type TapstreamForwarder,
  type TapstreamForwarderOptions,
} from './create-tapstream-forwarder.js';
export type { NodeListener } from './node-listener.js';
