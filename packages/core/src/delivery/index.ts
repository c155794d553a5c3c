export { createEmitter, type Emitter, type Listener } from './emitter.js';
export { createFetchTransport, type FetchTransportOptions } from './fetch-transport.js';
export {
  type CloseResult,
  createDeliveryQueue,
  type DeliveryEvents,
  type DeliveryQueue,
  type DeliveryQueueOptions,
  type DeliveryStats,
  type DropReason,
  type EnqueueResult,
  type FailureReason,
  type FlushResult,
  type OverflowPolicy,
} from './queue.js';
export {
  backoffDelay,
  classifyStatus,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryPolicy,
  type StatusClass,
} from './retry-policy.js';
export { systemScheduler } from './scheduler.js';
export type { Scheduler, Store, StoredRequest, Transport, TransportResponse } from './types.js';
