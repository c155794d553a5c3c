/**
 * A web hit of the click timeline, as Tapstream's lookup answers it. Only `custom_parameters` and
 * `tracker` are documented; the other fields are read when present and never relied on.
 */
export interface TimelineHit {
  /** The tracker (campaign) slug, e.g. `javascript_tracker`. */
  readonly tracker?: string;
  /** Link query parameters and `addCustomParameter` values, e.g. `km_identity`. */
  readonly custom_parameters?: Readonly<Record<string, string>>;
  /** Unix seconds (inferred). */
  readonly created?: number;
  readonly [field: string]: unknown;
}

/** An app event of the timeline (its shape is inferred). */
export interface TimelineEvent {
  readonly name?: string;
  readonly created?: number;
  readonly [field: string]: unknown;
}

/**
 * A conversion: the click timeline's hits, oldest first (`hits[0]` is the credited one), and the
 * app's events. What `lookupTimeline` returns once Tapstream has attributed the app session.
 */
export interface Timeline {
  readonly hits: readonly TimelineHit[];
  readonly events: readonly TimelineEvent[];
  readonly [field: string]: unknown;
}

/** The answer of Tapstream's newer `/v1/timelines/summary`, as far as kmkit reads it. */
export interface TimelineSummary {
  /** The credited hit's custom parameters, flattened (`hit_params.km_identity`). */
  readonly hit_params?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}
