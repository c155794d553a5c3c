import type { OptionsSpec } from '@kmkit/core/internal';

/**
 * The rules of `createTapstreamForwarder`'s options, for `checkOptions`: the forwarder's own, and
 * the names of `@kmkit/node`'s client options, whose values that client's `createKissmetrics`
 * checks when the forwarder makes it. Complete by construction: `create-tapstream-forwarder.ts`
 * checks it against `TapstreamForwarderOptions`, so an option added without a line here does not
 * compile.
 */
export const FORWARDER_OPTIONS = {
  // Required, but said with what to pass by the forwarder's own check.
  secret: 'string',
  identityField: 'string',
  eventName: 'string | function',
  properties: 'function',
  maxBodyBytes: 'number',
  headersTimeoutMs: 'any',
  bodyTimeoutMs: 'any',
  client: 'object',
  // @kmkit/node's client options.
  apiKey: 'any',
  endpoint: 'any',
  plugins: 'any',
  preset: 'any',
  prefixProperties: 'any',
  prefixSeparator: 'any',
  trackNamedPages: 'any',
  trackCategorizedPages: 'any',
  aliasOnIdentify: 'any',
  recordPageView: 'any',
  limits: 'any',
  maxConcurrency: 'any',
  concurrency: 'any',
  timeoutMs: 'any',
  retry: 'any',
  maxQueueLength: 'any',
  maxQueueBytes: 'any',
  overflow: 'any',
  maxQueryBytes: 'any',
  waitUntil: 'any',
  scheduler: 'any',
  spool: 'any',
  dispatcher: 'any',
  fetch: 'any',
  keepAliveTimeoutMs: 'any',
} as const satisfies OptionsSpec;
