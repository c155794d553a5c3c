/**
 * `@kmkit/core/internal`: the plumbing kmkit's own packages share (an emitter, the system clock,
 * percent-encoding, the retry arithmetic...). It is not part of the public API:
 * anything here may change in any release. Import what you need from `@kmkit/core` instead.
 *
 * @packageDocumentation
 * @internal
 */
export { QUEUE_OPTIONS } from './delivery/delivery-options.js';
export { createEmitter, type Emitter, type Listener } from './delivery/emitter.js';
export {
  backoffDelay,
  classifyStatus,
  parseRetryAfter,
  type StatusClass,
} from './delivery/retry-policy.js';
export { resolveScheduler, systemScheduler } from './delivery/scheduler.js';
export { startRequest } from './delivery/types.js';
export { percentEncode } from './encoding/percent.js';
export { MAPPING_OPTIONS, MAPPING_PRESET_NAMES } from './mapping/mapping-options.js';
export { pageEventName, propertiesCategory } from './mapping/page-name.js';
export { type MappingProfile, resolveProfile } from './mapping/profile.js';
export { isOrderCompleted, parseRevenue } from './mapping/revenue.js';
export { DEV, terse } from './model/development.js';
export { codePointLength, resolveLimits, truncateCodePoints } from './model/limits.js';
export { parseTimestamp } from './model/timestamp.js';
export {
  checkOptions,
  closestName,
  type OptionKind,
  type OptionRule,
  type OptionsSpec,
  type OptionsSpecOf,
} from './options/index.js';
