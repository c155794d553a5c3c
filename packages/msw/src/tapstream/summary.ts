import type { TapstreamConversion } from './timelines.js';

/** The answer of `/v1/timelines/summary` once a session is attributed. */
export interface TimelineSummary {
  /** The `deeplink` custom parameter of the newest hit that has one (our reading), or null. */
  readonly latest_deeplink: string | null;
  /** When that hit was made, in ms, or null. */
  readonly latest_deeplink_timestamp: number | null;
  /** Every hit's `deeplink`, oldest first. */
  readonly deeplinks: readonly string[];
  /** The tracker slugs of the hits, oldest first, each once. */
  readonly campaigns: readonly string[];
  /** The custom parameters of the credited (oldest) hit, e.g. `km_identity`. */
  readonly hit_params: Readonly<Record<string, string>>;
  /** The custom parameters of the session's events, a later event's value winning. */
  readonly event_params: Readonly<Record<string, string>>;
}

/** The name of the hit custom parameter the summary reads deep links from (inferred). */
export const DEEPLINK_PARAMETER = 'deeplink';

/** Summarises a conversion as `/v1/timelines/summary` does. */
export function toTimelineSummary(conversion: TapstreamConversion): TimelineSummary {
  const deeplinked = conversion.hits.filter((hit) =>
    Object.hasOwn(hit.custom_parameters, DEEPLINK_PARAMETER),
  );
  const latest = deeplinked.at(-1);
  return {
    latest_deeplink: latest ? latest.custom_parameters[DEEPLINK_PARAMETER]! : null,
    latest_deeplink_timestamp: latest ? latest.created * 1000 : null,
    deeplinks: deeplinked.map((hit) => hit.custom_parameters[DEEPLINK_PARAMETER]!),
    campaigns: [...new Set(conversion.hits.map((hit) => hit.tracker))],
    hit_params: { ...conversion.hits[0]?.custom_parameters },
    event_params: Object.fromEntries(
      conversion.events.flatMap((event) => Object.entries(event.custom_parameters)),
    ),
  };
}
