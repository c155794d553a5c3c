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

/** A clock the tests move by hand: the emulators read it as their receive time. */
export function manualClock(start = Date.UTC(2024, 0, 2, 3, 4, 5)) {
  let now = start;
  return {
    now: () => now,
    /** Unix seconds of the current time. */
    seconds: () => Math.floor(now / 1000),
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  };
}
