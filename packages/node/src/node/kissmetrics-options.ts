import type { OptionsSpecOf } from '@kmkit/core/internal';
import { CLIENT_OPTIONS } from '../client/client-options.js';
import type { SpoolOptions } from '../spool/index.js';
import type { KissmetricsOptions } from './create-kissmetrics.js';

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
