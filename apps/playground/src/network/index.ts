// The emulators over real HTTP, for the undici transport and a child process.
export { type LoopbackServer, startLoopbackServer } from '@kmkit/msw/node';
export type { Exchange } from './exchange.js';
export { createMockNetwork, interceptedFetch, type MockNetwork } from './mock-network.js';
