import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';

/**
 * Starts an MSW server with the given handlers for the current test file, with unhandled requests
 * as errors, and stops it after the file.
 */
export function useServer(...handlers: RequestHandler[]) {
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  return server;
}

/** A `fetch` that reads the global one at call time, so MSW's interception applies. */
export const interceptedFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
