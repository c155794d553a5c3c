/**
 * `@kmkit/msw/node`: the emulators over real HTTP, for clients MSW cannot intercept. Node only.
 *
 * @packageDocumentation
 */
export {
  type LoopbackServer,
  type LoopbackServerOptions,
  startLoopbackServer,
} from './loopback-server.js';
