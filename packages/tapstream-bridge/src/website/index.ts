export {
  type ConsentState,
  DEFAULT_TRACKER,
  type IdentityUnavailable,
  installTapstreamBridge,
  type KmConsentSource,
  type KmIdentitySource,
  TAPSTREAM_SCRIPT_URL,
  type TapstreamBridge,
  type TapstreamBridgeOptions,
  type TapstreamHitResult,
} from './install-tapstream-bridge.js';
