import { DEV } from '../model/development.js';
import { KmValidationError } from '../model/errors.js';
import type { KmMode } from '../model/parse-event.js';

/**
 * Whose names to produce. `default` is kmkit's profile (DESIGN.md's mapping rules); `rudderstack`
 * and `segment` reproduce those integrations' event and property **names**, so reports built on
 * them keep working. Timestamps, flattening, validation and encoding are kmkit's in every preset.
 */
export type MappingPreset = 'default' | 'rudderstack' | 'segment';

/** The naming options of `mapEvent`, each defaulted by the preset. */
export interface MappingProfileOptions {
  /** Which integration's names to reproduce. Default `default`. */
  readonly preset?: MappingPreset;
  /**
   * Prefix track property names with the event name (`<event> - <key>`), page properties with
   * `Page - ` and screen properties with `Screen - `. Default off (on in the `segment` preset).
   */
  readonly prefixProperties?: boolean;
  /**
   * Between the prefix and the key. Default `' - '` (`'-'` in the `rudderstack` preset's cloud
   * mode, as RudderStack's cloud transform does; its device integration uses `' - '`).
   */
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
  /**
   * Before each page's own record, record `Page View` with `Viewed URL` (the page's `url`
   * property) and `Referrer` (its `referrer` property, else `Direct`), as Segment's browser
   * integration does. Default off (on in the `segment` preset); `false` there is Segment's
   * `KM_SKIP_PAGE_VIEW`.
   */
  readonly recordPageView?: boolean;
}

/** Every naming choice, resolved from a preset and the options. */
export interface MappingProfile extends Required<MappingProfileOptions> {
  /** Between `<event>` and `revenue` when prefixing, if not `prefixSeparator` (RudderStack: `' - '`). */
  readonly revenueSeparator?: string;
  /** Page properties prefixed even without `prefixProperties` (Segment). */
  readonly alwaysPrefixPages: boolean;
  /** Screen properties: prefixed as pages are, or `never` (RudderStack). */
  readonly screenProperties: 'asPages' | 'never';
  /** `Billing Amount` with every revenue, or only when prefixing (RudderStack). */
  readonly billingAmountAlways: boolean;
  /** Order-completed events use `total` when there is no `revenue`. */
  readonly totalFallback: boolean;
  /** Add `id: userId` to identify traits (Segment). */
  readonly identifyIdTrait: boolean;
  /** A page's or screen's category only from `properties.category`, never the top-level field (RudderStack). */
  readonly categoryFromProperties: boolean;
  /** Pages, screens and product rows read `revenue` as a track does (RudderStack). */
  readonly revenueOnEveryRow: boolean;
  /** `prefixSeparator` in device mode, if not the cloud one (RudderStack's device integration: `' - '`). */
  readonly devicePrefixSeparator?: string;
}

const DEFAULT: MappingProfile = {
  preset: 'default',
  prefixProperties: false,
  prefixSeparator: ' - ',
  trackNamedPages: true,
  trackCategorizedPages: true,
  aliasOnIdentify: true,
  alwaysPrefixPages: false,
  screenProperties: 'asPages',
  billingAmountAlways: true,
  totalFallback: true,
  identifyIdTrait: false,
  recordPageView: false,
  categoryFromProperties: false,
  revenueOnEveryRow: false,
};

// Made in a pure function: a bundle that never resolves a profile (the browser's) drops the table.
/** The three profiles side by side, before options. */
export const MAPPING_PRESETS: Readonly<Record<MappingPreset, MappingProfile>> =
  /* @__PURE__ */ (() => ({
    default: DEFAULT,
    rudderstack: {
      ...DEFAULT,
      preset: 'rudderstack',
      prefixSeparator: '-',
      revenueSeparator: ' - ',
      screenProperties: 'never',
      billingAmountAlways: false,
      totalFallback: false,
      aliasOnIdentify: false,
      categoryFromProperties: true,
      revenueOnEveryRow: true,
      devicePrefixSeparator: ' - ',
    },
    segment: {
      ...DEFAULT,
      preset: 'segment',
      prefixProperties: true,
      alwaysPrefixPages: true,
      identifyIdTrait: true,
      recordPageView: true,
    },
  }))();

/** The kinds of the options a profile takes beside `preset` (`MAPPING_OPTIONS` spreads them). */
export const PROFILE_OPTIONS = {
  prefixProperties: 'boolean',
  prefixSeparator: 'string',
  trackNamedPages: 'boolean',
  trackCategorizedPages: 'boolean',
  aliasOnIdentify: 'boolean',
  recordPageView: 'boolean',
} as const;

/**
 * The profile for a preset, the mode and the options: explicit options win over the preset's
 * defaults (in device mode, over its device defaults).
 *
 * @throws {KmValidationError} `invalid_option` for an unknown preset or an option of the wrong type.
 */
export function resolveProfile(
  options: MappingProfileOptions & { readonly mode?: KmMode } = {},
  mode: KmMode | undefined = options.mode,
): MappingProfile {
  const name = options.preset ?? 'default';
  let preset = Object.hasOwn(MAPPING_PRESETS, name) ? MAPPING_PRESETS[name] : undefined;
  if (preset === undefined) {
    throw new KmValidationError(
      'invalid_option',
      'preset',
      DEV
        ? `preset ${JSON.stringify(String(name))} is unknown: use "default", "rudderstack" or "segment"`
        : '',
    );
  }
  if (mode === 'device' && preset.devicePrefixSeparator !== undefined) {
    preset = { ...preset, prefixSeparator: preset.devicePrefixSeparator };
  }
  const {
    prefixProperties: a,
    prefixSeparator: b,
    trackNamedPages: c,
    trackCategorizedPages: d,
    aliasOnIdentify: e,
    recordPageView: f,
  } = options;
  // The usual call sets none of them: no copy, no loop.
  if (
    a === undefined &&
    b === undefined &&
    c === undefined &&
    d === undefined &&
    e === undefined &&
    f === undefined
  ) {
    return preset;
  }
  let profile = preset;
  for (const [key, type] of Object.entries(PROFILE_OPTIONS)) {
    const value = options[key as keyof typeof PROFILE_OPTIONS];
    if (value === undefined) continue;
    if (typeof value !== type) {
      throw new KmValidationError('invalid_option', key, DEV ? `${key} must be a ${type}` : '');
    }
    if (profile === preset) profile = { ...preset };
    (profile as unknown as Record<string, unknown>)[key] = value;
  }
  return profile;
}
