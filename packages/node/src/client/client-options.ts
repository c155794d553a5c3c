import { MAPPING_PRESETS } from '@kmkit/core';
import type { OptionsSpec, OptionsSpecOf } from '@kmkit/core/internal';
import type { ClientOptions } from './client.js';

/**
 * The rules of the options every server client takes (`@kmkit/node` and `@kmkit/node/edge`), for
 * `checkOptions`. Each runtime adds its own. `satisfies` keeps it complete: an option added to
 * {@link ClientOptions} without a rule here does not compile.
 */
export const CLIENT_OPTIONS = {
  apiKey: 'string!',
  endpoint: 'string',
  plugins: 'array',
  // Mapping (core's mapEvent).
  preset: Object.keys(MAPPING_PRESETS),
  prefixProperties: 'boolean',
  prefixSeparator: 'string',
  trackNamedPages: 'boolean',
  trackCategorizedPages: 'boolean',
  aliasOnIdentify: 'boolean',
  recordPageView: 'boolean',
  limits: { nameLength: 'number', valueLength: 'number' },
  // Delivery (core's engine; it checks the ranges).
  maxConcurrency: 'number',
  concurrency: 'number',
  timeoutMs: 'number',
  retry: {
    maxAttempts: 'number',
    baseDelayMs: 'number',
    maxDelayMs: 'number',
    maxAgeMs: 'number',
    timeoutMs: 'number',
  },
  maxQueueLength: 'number',
  maxQueueBytes: 'number',
  overflow: ['refuse', 'drop-oldest'],
  maxQueryBytes: 'number',
  waitUntil: 'function',
  scheduler: 'object',
} as const satisfies OptionsSpecOf<ClientOptions> & OptionsSpec;
