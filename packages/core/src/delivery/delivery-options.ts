import type { OptionsSpecOf } from '../options/check-options.js';
import type { DeliveryQueueOptions } from './queue-types.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * The rules of the delivery engine's retry and queue options, for `checkOptions`: every cloud
 * sender (node, edge, browser cloud mode) spreads them into its own spec, so they are written
 * once. The engine checks the ranges; these check the kinds and names.
 */
export const QUEUE_OPTIONS = {
  retry: {
    maxAttempts: 'number',
    baseDelayMs: 'number',
    maxDelayMs: 'number',
    maxAgeMs: 'number',
    timeoutMs: 'number',
  } satisfies OptionsSpecOf<RetryPolicy>,
  maxQueueLength: 'number',
  maxQueueBytes: 'number',
  overflow: ['refuse', 'drop-oldest'],
} as const satisfies OptionsSpecOf<
  Pick<DeliveryQueueOptions, 'retry' | 'maxQueueLength' | 'maxQueueBytes' | 'overflow'>
>;
