/**
 * `@kmkit/node`: the Kissmetrics server client for Node.js (keep-alive undici transport, bounded
 * concurrency and memory, retries, joinable `flush()`, `close()` with a deadline, a crash-safe
 * spool) and a writer of Kissmetrics bulk-import files.
 *
 * @packageDocumentation
 */

export { isKmValidationError, KmError, KmValidationError } from '@kmkit/core';
export type {
  CallResult,
  ClientEventName,
  ClientEvents,
  ClientOptions,
  ClientStats,
  KissmetricsClient,
  MappingWarning,
  PluginDrop,
  SpoolFullDrop,
  TransportWarning,
} from './client/index.js';
export {
  createImportWriter,
  type ImportSummary,
  type ImportWriter,
  type ImportWriterOptions,
} from './import-writer/index.js';
export { createKissmetrics, type KissmetricsOptions } from './node/index.js';
export {
  type FsyncPolicy,
  KmSpoolError,
  type KmSpoolErrorCode,
  type SpoolOptions,
  type SpoolStats,
  type SpoolWarning,
} from './spool/index.js';
export {
  createNodeTransport,
  type NodeTransport,
  type NodeTransportKind,
  type NodeTransportOptions,
  type RequestDispatcher,
} from './transport/index.js';
