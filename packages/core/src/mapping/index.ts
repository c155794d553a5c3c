export { BILLING_AMOUNT, type MapOptions, type MapResult, mapEvent } from './map-event.js';
export {
  MAPPING_PRESETS,
  type MappingPreset,
  type MappingProfile,
  type MappingProfileOptions,
} from './profile.js';
