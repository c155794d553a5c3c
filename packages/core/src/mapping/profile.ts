import { KmValidationError } from '../model/errors.js';

/**
 * Whose names to produce. `default` is kmkit's profile (DESIGN.md's mapping rules); `rudderstack`
 * and `segment` reproduce those integrations' event and property **names**, so reports built on
 * them keep working. Timestamps, flattening, validation and encoding are kmkit's in every preset.
 */
export type MappingPreset = 'default' | 'rudderstack' | 'segment';

/** How page and screen views are named; see `pageEventName`. */
export type PageNaming = MappingPreset;

/** The naming options of `mapEvent`, each defaulted by the preset. */
export interface MappingProfileOptions {
  /** Which integration's names to reproduce. Default `default`. */
  readonly preset?: MappingPreset;
  /**
   * Prefix track property names with the event name (`<event> - <key>`), page properties with
   * `Page - ` and screen properties with `Screen - `. Default off (on in the `segment` preset).
   */
  readonly prefixProperties?: boolean;
  /** Between the prefix and the key. Default `' - '` (`'-'` in the `rudderstack` preset). */
  readonly prefixSeparator?: string;
  /** Use the page or screen name in the event name. Default true. */
  readonly trackNamedPages?: boolean;
  /** Use the page or screen category in the event name. Default true. */
  readonly trackCategorizedPages?: boolean;
  /**
   * Cloud mode: after an identify with both `userId` and `anonymousId`, alias them, as the
   * Kissmetrics JS library does on `identify`. Default true (false in the `rudderstack` preset).
   */
  readonly aliasOnIdentify?: boolean;
}

/** Every naming choice, resolved from a preset and the options. */
export interface MappingProfile {
  readonly preset: MappingPreset;
  readonly prefixProperties: boolean;
  readonly prefixSeparator: string;
  /** Between `<event>` and `revenue` when prefixing (RudderStack: always `' - '`). */
  readonly revenueSeparator: string | undefined;
  /** `option`: prefixed when `prefixProperties`; `always`: Segment's page properties. */
  readonly pageProperties: 'option' | 'always';
  /** As `pageProperties`, plus `never` for RudderStack's unprefixed screen properties. */
  readonly screenProperties: 'option' | 'always' | 'never';
  readonly pageNaming: PageNaming;
  /** `always` with a revenue, or only `whenPrefixing` (RudderStack). */
  readonly billingAmount: 'always' | 'whenPrefixing';
  /** Order-completed events use `total` when there is no `revenue`. */
  readonly totalFallback: boolean;
  readonly aliasOnIdentify: boolean;
  /** Add `id: userId` to identify traits (Segment). */
  readonly identifyIdTrait: boolean;
  readonly trackNamedPages: boolean;
  readonly trackCategorizedPages: boolean;
}

const DEFAULT_PROFILE: MappingProfile = Object.freeze({
  preset: 'default',
  prefixProperties: false,
  prefixSeparator: ' - ',
  revenueSeparator: undefined,
  pageProperties: 'option',
  screenProperties: 'option',
  pageNaming: 'default',
  billingAmount: 'always',
  totalFallback: true,
  aliasOnIdentify: true,
  identifyIdTrait: false,
  trackNamedPages: true,
  trackCategorizedPages: true,
});

/** The three profiles side by side, before options. */
export const MAPPING_PRESETS: Readonly<Record<MappingPreset, MappingProfile>> = Object.freeze({
  default: DEFAULT_PROFILE,
  rudderstack: Object.freeze({
    ...DEFAULT_PROFILE,
    preset: 'rudderstack',
    prefixSeparator: '-',
    revenueSeparator: ' - ',
    screenProperties: 'never',
    pageNaming: 'rudderstack',
    billingAmount: 'whenPrefixing',
    totalFallback: false,
    aliasOnIdentify: false,
  }),
  segment: Object.freeze({
    ...DEFAULT_PROFILE,
    preset: 'segment',
    prefixProperties: true,
    pageProperties: 'always',
    screenProperties: 'always',
    pageNaming: 'segment',
    identifyIdTrait: true,
  }),
});

function option<T>(value: unknown, type: 'boolean' | 'string', path: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== type) {
    throw new KmValidationError('invalid_option', path, `${path} must be a ${type}`);
  }
  return value as T;
}

/**
 * The profile for a preset and the options: explicit options win over the preset's defaults.
 *
 * @throws {KmValidationError} `invalid_option` for an unknown preset or an option of the wrong type.
 */
export function resolveProfile(options: MappingProfileOptions | undefined): MappingProfile {
  if (options === undefined) return DEFAULT_PROFILE;
  const presetName = options.preset ?? 'default';
  const preset = Object.hasOwn(MAPPING_PRESETS, presetName)
    ? MAPPING_PRESETS[presetName]
    : undefined;
  if (preset === undefined) {
    throw new KmValidationError(
      'invalid_option',
      'preset',
      `preset ${JSON.stringify(String(presetName))} is unknown: use "default", "rudderstack" or "segment"`,
    );
  }
  const {
    prefixProperties,
    prefixSeparator,
    trackNamedPages,
    trackCategorizedPages,
    aliasOnIdentify,
  } = options;
  if (
    prefixProperties === undefined &&
    prefixSeparator === undefined &&
    trackNamedPages === undefined &&
    trackCategorizedPages === undefined &&
    aliasOnIdentify === undefined
  ) {
    return preset;
  }
  return {
    ...preset,
    prefixProperties: option(
      prefixProperties,
      'boolean',
      'prefixProperties',
      preset.prefixProperties,
    ),
    prefixSeparator: option(prefixSeparator, 'string', 'prefixSeparator', preset.prefixSeparator),
    trackNamedPages: option(trackNamedPages, 'boolean', 'trackNamedPages', preset.trackNamedPages),
    trackCategorizedPages: option(
      trackCategorizedPages,
      'boolean',
      'trackCategorizedPages',
      preset.trackCategorizedPages,
    ),
    aliasOnIdentify: option(aliasOnIdentify, 'boolean', 'aliasOnIdentify', preset.aliasOnIdentify),
  };
}
