/**
 * `@kmkit/core/testing`: helpers for testing code built on the delivery engine.
 *
 * @packageDocumentation
 */
export {
  createManualScheduler,
  type ManualScheduler,
  type ManualSchedulerOptions,
} from './manual-scheduler.js';
export { seededRandom } from './seeded-random.js';
