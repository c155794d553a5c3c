import type { KmLimits } from '../model/limits.js';
import type { OptionsSpecOf } from '../options/check-options.js';
import { type MappingPreset, type MappingProfileOptions, PROFILE_OPTIONS } from './profile.js';

/** The presets by name, for option checks (the keys of `MAPPING_PRESETS`). */
export const MAPPING_PRESET_NAMES: readonly MappingPreset[] = ['default', 'rudderstack', 'segment'];

/**
 * The rules of the mapping's options, for `checkOptions`: every client that maps events (node,
 * edge, browser) spreads them into its own spec, so they are written once.
 */
export const MAPPING_OPTIONS = {
  preset: MAPPING_PRESET_NAMES,
  ...PROFILE_OPTIONS,
  limits: { nameLength: 'number', valueLength: 'number' },
} as const satisfies OptionsSpecOf<MappingProfileOptions & { readonly limits?: KmLimits }>;
