import {
  type KmLimits,
  type KmMode,
  KmValidationError,
  type MappingProfileOptions,
} from '@kmkit/core';
import { DEV, MAPPING_PRESET_NAMES, resolveLimits } from '@kmkit/core/internal';

/**
 * What the mapping of a client needs, resolved once when the client is made: the mode, the
 * preset, its naming options with the preset's defaults, and the limits. The preset's other
 * choices (RudderStack's or Segment's names) follow from `preset` where they are used.
 */
export interface BrowserMapping extends Required<MappingProfileOptions> {
  readonly mode: KmMode;
  readonly nameLength: number;
  readonly valueLength: number;
}

/**
 * The mapping for the options of a client, with the defaults of `@kmkit/core`'s `resolveProfile`:
 * explicit options win over the preset's.
 *
 * @throws {KmValidationError} `invalid_option` for an unknown preset or a bad limit. (Options of the
 * wrong type are refused in development builds, by the client's option checks.)
 */
export function resolveMapping(
  options: MappingProfileOptions & { readonly limits?: KmLimits },
  mode: KmMode,
): BrowserMapping {
  const preset = options.preset ?? 'default';
  if (!MAPPING_PRESET_NAMES.includes(preset)) {
    throw new KmValidationError(
      'invalid_option',
      'preset',
      DEV ? 'preset must be "default", "rudderstack" or "segment"' : '',
    );
  }
  const rudderstack = preset === 'rudderstack';
  const segment = preset === 'segment';
  return {
    mode,
    preset,
    prefixProperties: options.prefixProperties ?? segment,
    // RudderStack's cloud transform prefixes with '-', its device integration with ' - '.
    prefixSeparator: options.prefixSeparator ?? (rudderstack && mode !== 'device' ? '-' : ' - '),
    trackNamedPages: options.trackNamedPages ?? true,
    trackCategorizedPages: options.trackCategorizedPages ?? true,
    aliasOnIdentify: options.aliasOnIdentify ?? !rudderstack,
    recordPageView: options.recordPageView ?? segment,
    ...resolveLimits(options.limits),
  };
}
