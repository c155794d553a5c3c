export { type LoopbackServer, startLoopbackServer } from './loopback-server.js';
export { createMockNetwork, interceptedFetch, type MockNetwork } from './mock-network.js';
