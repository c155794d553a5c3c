export { seededRandom } from '@kmkit/core/testing';
export { callText, jsLiteral } from './call-text.js';
export { check, checkEqual } from './checks.js';
export { createFlowClock, type FlowClock, isoSeconds, virtualWaits } from './clock.js';
export { type RunFlowOptions, runFlow } from './run-flow.js';
export type * from './types.js';
export { toCallError, toCallWarnings, toPerson, toRequestView } from './views.js';
