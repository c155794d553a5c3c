export {
  createSharedQueue,
  type HandOffResult,
  type SharedQueue,
  type SharedQueueOptions,
} from './shared-queue.js';
