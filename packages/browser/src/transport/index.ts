export {
  type BrowserTransport,
  createBrowserTransport,
  KEEPALIVE_BUDGET,
} from './browser-transport.js';
