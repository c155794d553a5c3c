import { createFetchTransport, type TrackingRequest, type Transport } from '@kmkit/core';
import { startRequest } from '@kmkit/core/internal';

// @mswjs/interceptors (behind msw/node's setupServer, and nock 14) keeps its fetch interceptor on
// `globalThis` while it is applied, under `Symbol.for('fetch-interceptor')` since 0.38 and under a
// local `Symbol('fetch')` before (msw 2.7): both are found by their description.
const INTERCEPTOR_NAMES = new Set(['fetch-interceptor', 'fetch']);

// The interceptor swaps `globalThis.fetch` when it starts and restores it when it stops, so the
// answer only changes with it: the symbols are read again only for a `fetch` not seen last time.
let lastFetch: unknown;
let lastAnswer = false;

/**
 * True while MSW (`setupServer(...).listen()` from `msw/node`) intercepts this process's `fetch`.
 * undici's own pool is out of MSW's reach, so a client that sent through it would pass every test
 * while MSW saw nothing.
 */
export function mswInterceptsFetch(): boolean {
  const current = globalThis.fetch;
  if (current !== lastFetch) {
    lastFetch = current;
    lastAnswer = Object.getOwnPropertySymbols(globalThis).some(
      (symbol) => symbol.description !== undefined && INTERCEPTOR_NAMES.has(symbol.description),
    );
  }
  return lastAnswer;
}

/**
 * True for a URL on this machine (`127.0.0.0/8`, `[::1]`, `localhost`): a real server of the
 * test's own, such as `@kmkit/msw/node`'s `startLoopbackServer`, not a service MSW stands in for.
 */
export function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url);
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

/**
 * A transport that sends through `pool`, except while MSW intercepts `fetch`: then through the
 * global `fetch` (read at each send), so MSW's handlers answer kmkit's requests and its
 * `onUnhandledRequest` applies to them, as to every other request of the process. Requests to a
 * loopback address still take the pool: that is a real server (a loopback emulator), reached over
 * real HTTP whatever MSW does. Checked at each send, because tests usually start MSW after the
 * client is created.
 */
export function followMswInterception(pool: Transport): Transport {
  const intercepted = createFetchTransport();
  const viaMsw = (request: TrackingRequest) => mswInterceptsFetch() && !isLoopbackUrl(request.url);
  return {
    send: (request, signal) =>
      viaMsw(request) ? intercepted.send(request, signal) : pool.send(request, signal),
    start: (request) => startRequest(viaMsw(request) ? intercepted : pool, request),
  };
}
