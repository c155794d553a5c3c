export {
  type BrowserTransport,
  createBrowserTransport,
  KEEPALIVE_BUDGET,
} from './browser-transport.js';
export { KISSMETRICS_ORIGIN } from './kissmetrics-host.js';
