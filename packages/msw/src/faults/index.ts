export { chance } from './chance.js';
export type {
  Fault,
  FaultController,
  FaultCounts,
  FaultKind,
  FaultPlan,
  FaultPlans,
} from './fault.js';
export {
  createFaultInjector,
  type FaultInjector,
  type FaultInjectorOptions,
} from './fault-injector.js';
