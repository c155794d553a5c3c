export { createFetchTransport, type FetchTransportOptions } from './fetch-transport.js';
export { createDeliveryQueue } from './queue.js';
export type {
  CloseResult,
  DeliveryEvents,
  DeliveryQueue,
  DeliveryQueueOptions,
  DeliveryStats,
  DropReason,
  EnqueueResult,
  FailureReason,
  FlushResult,
  OverflowPolicy,
} from './queue-types.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export type {
  Scheduler,
  Store,
  StoredRequest,
  Transport,
  TransportAttempt,
  TransportResponse,
} from './types.js';
