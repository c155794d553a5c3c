import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import type { Exchange } from './exchange.js';

/**
 * The machine's network as the flows see it: msw/node answers every `fetch` (and `node:http`
 * request) from the handlers in force, and a request no handler answers fails, so nothing leaves
 * the machine.
 */
export interface MockNetwork {
  /** Replaces the handlers in force (the flow's emulators). */
  use(...handlers: readonly RequestHandler[]): void;
  /** Every exchange since the last `clear()`, in the order the answers came. */
  exchanges(): readonly Exchange[];
  /** Requests no handler answered (each failed as a network error), as `METHOD url`. */
  unhandled(): readonly string[];
  /** Forgets the exchanges and the unhandled requests. */
  clear(): void;
  /** Stops intercepting. */
  close(): void;
}

/** Starts intercepting the process's HTTP with msw/node; unhandled requests are errors. */
export function createMockNetwork(): MockNetwork {
  const server = setupServer();
  let exchanges: Exchange[] = [];
  let unhandled: string[] = [];
  server.events.on('response:mocked', ({ request, response }) => {
    exchanges.push({
      method: request.method,
      url: request.url,
      status: response.type === 'error' ? 'network error' : response.status,
    });
  });
  server.listen({
    onUnhandledRequest(request, print) {
      unhandled.push(`${request.method} ${request.url}`);
      // Prints to stderr and fails the request: nothing reaches the real network.
      print.error();
    },
  });
  return {
    use(...handlers) {
      server.resetHandlers(...handlers);
    },
    exchanges: () => exchanges.slice(),
    unhandled: () => unhandled.slice(),
    clear() {
      exchanges = [];
      unhandled = [];
    },
    close: () => server.close(),
  };
}

/** A `fetch` that reads the global one at call time, so msw/node's interception applies. */
export const interceptedFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
