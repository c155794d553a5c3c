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

/**
 * A `fetch` for the Tapstream emulator's postbacks under `setupServer`: it reads each answer whole
 * before handing it over. The emulator discards answers with `response.body.cancel()`, which never
 * settles for a response MSW mocked in Node when it has a body (the forwarder's JSON), so
 * `ts.settled()` would wait forever.
 */
export const postbackFetch: typeof fetch = async (input, init) => {
  const response = await globalThis.fetch(input, init);
  const body = await response.arrayBuffer();
  return new Response(body, { status: response.status, headers: response.headers });
};
