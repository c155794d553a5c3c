import type { OptionsSpecOf } from '@kmkit/core/internal';
import { CLIENT_OPTIONS } from '../client/client-options.js';
import type { ClientOptions } from '../client/index.js';
import type { SpoolOptions } from '../spool/index.js';
import type { RequestDispatcher } from '../transport/index.js';

/** Options of the Node client. */
export interface KissmetricsOptions extends ClientOptions {
  /**
   * A crash-safe spool: every request is written to an append-only journal in `dir` before the
   * call returns, and acknowledged once settled, so a new client on the same directory delivers
   * what a crashed process (`kill -9`) left. One process per directory.
   */
  readonly spool?: SpoolOptions;
  /** An undici dispatcher to send through (a `ProxyAgent`, a `MockAgent`); you close it. */
  readonly dispatcher?: RequestDispatcher;
  /**
   * A `fetch` to send with instead of undici's pool (slower; for instrumented fetches). Without
   * this or `dispatcher`, the client sends with the global `fetch` while `msw/node` intercepts it
   * (in tests: MSW cannot see undici's pool), except to a loopback endpoint.
   */
  readonly fetch?: typeof fetch;
  /** How long idle keep-alive connections stay open. Default 30 s. */
  readonly keepAliveTimeoutMs?: number;
}

/** The rules of the Node client's spool options; complete by construction, like the rest. */
const SPOOL_OPTIONS = {
  dir: 'string!',
  fsync: ['always', 'interval', 'never'],
  fsyncIntervalMs: 'number',
  maxBytes: 'number',
  compactBytes: 'number',
} as const satisfies OptionsSpecOf<SpoolOptions>;

/**
 * The rules of `@kmkit/node`'s `createKissmetrics` options, for `checkOptions`. Servers built on the
 * client (the relay) spread it into their own spec.
 */
export const KISSMETRICS_OPTIONS = {
  ...CLIENT_OPTIONS,
  spool: SPOOL_OPTIONS,
  dispatcher: 'object',
  fetch: 'function',
  keepAliveTimeoutMs: 'number',
} as const satisfies OptionsSpecOf<KissmetricsOptions>;
