export { followMswInterception, mswInterceptsFetch } from './msw-interception.js';
export {
  createNodeTransport,
  dispatcherSend,
  type NodeTransport,
  type NodeTransportKind,
  type NodeTransportOptions,
  supportsUndici,
} from './node-transport.js';
export type { RequestDispatcher } from './request-dispatcher.js';
