import { KmValidationError } from '@kmkit/core';
import { createKissmetrics } from '../edge/create-kissmetrics.js';
import { createRelay, type KissmetricsRelay } from './create-relay.js';
import type { EdgeKissmetricsRelayOptions } from './relay-options.js';

/**
 * The relay on fetch-only runtimes (Cloudflare Workers, Vercel Edge): the same answers, through
 * the edge client, with no spool (a 200 means queued in memory; pass `waitUntil`).
 *
 * @throws {KmValidationError} `invalid_option` naming a bad option, or for `spool`.
 */
export function createKissmetricsRelay(options: EdgeKissmetricsRelayOptions): KissmetricsRelay {
  if (options?.spool !== undefined) {
    throw new KmValidationError(
      'invalid_option',
      'spool',
      'a spool needs a local disk: on this runtime the relay keeps requests in memory (pass waitUntil)',
    );
  }
  return createRelay(options, createKissmetrics);
}
