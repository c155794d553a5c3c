import {
  MAPPING_OPTIONS,
  type OptionsSpec,
  type OptionsSpecOf,
  QUEUE_OPTIONS,
} from '@kmkit/core/internal';
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
  ...MAPPING_OPTIONS,
  // Delivery (core's engine; it checks the ranges).
  ...QUEUE_OPTIONS,
  maxConcurrency: 'number',
  concurrency: 'number',
  timeoutMs: 'number',
  maxQueryBytes: 'number',
  waitUntil: 'function',
  scheduler: 'object',
} as const satisfies OptionsSpecOf<ClientOptions> & OptionsSpec;
