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
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export type { Scheduler, Store, StoredRequest, Transport, TransportResponse } from './types.js';
