/**
 * `@kmkit/msw`: in-memory emulators of Kissmetrics and Tapstream as MSW request handlers, for
 * `setupServer` in Node and `setupWorker` in a browser, with fault injection.
 *
 * @packageDocumentation
 */
export {
  createFaultInjector,
  type Fault,
  type FaultController,
  type FaultCounts,
  type FaultInjector,
  type FaultInjectorOptions,
  type FaultKind,
  type FaultPlan,
  type FaultPlans,
} from './faults/index.js';
export { TRACKING_GIF } from './http/index.js';
export * from './kissmetrics/index.js';
export * from './tapstream/index.js';
