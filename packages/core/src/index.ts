/**
 * `@kmkit/core`: the event model, the Kissmetrics mapping, the three encodings of a command and
 * the delivery engine shared by every kmkit client. Runs in every JavaScript runtime.
 *
 * @packageDocumentation
 */
export * from './delivery/index.js';
export * from './encoding/index.js';
export * from './mapping/index.js';
export * from './model/index.js';
export * from './plugin/index.js';
