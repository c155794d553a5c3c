export { type BeaconSenders, sendBeacons } from './beacon.js';
export {
  type BrowserTransportOptions,
  createBrowserTransport,
  KEEPALIVE_BUDGET,
} from './fetch-transport.js';
