export { KmBridgeError, type KmBridgeErrorCode } from './bridge-error.js';
