/** A web hit of a click timeline, as the timeline lookup answers it. */
export interface TapstreamHit {
  /** Increasing from 1 in the emulator. */
  readonly id: number;
  /** The tracker (campaign) slug, e.g. `javascript_tracker`. */
  readonly tracker: string;
  /** Unix seconds, from the emulator's clock. */
  readonly created: number;
  /** The click timeline the hit belongs to (our reading of this field). */
  readonly session_id: string;
  readonly tags: readonly string[];
  /** Link query parameters and `addCustomParameter` values, e.g. `km_identity`. */
  readonly custom_parameters: Readonly<Record<string, string>>;
}

/** A click timeline: the hits of one browser (its timeline cookie), oldest first. */
export interface TapstreamTimeline {
  readonly id: string;
  readonly hits: readonly TapstreamHit[];
}

/** An app event, as stored on its event session. */
export interface TapstreamAppEvent {
  readonly name: string;
  /** Unix seconds. */
  readonly created: number;
  /** The SDK's `created-ms` (client time in ms, fixed at the first attempt). */
  readonly created_ms: number;
  readonly custom_parameters: Readonly<Record<string, string>>;
}

/** An app's event session (its `uuid`) and the click timeline it is attributed to, if any. */
export interface TapstreamSession {
  readonly uuid: string;
  /** The account its first event (or its attribution) came through. */
  readonly account: string | null;
  readonly events: readonly TapstreamAppEvent[];
  /** The attributed click timeline, once `attribute()` named one. */
  readonly timeline: string | null;
  /** When the attribution takes (or took) effect, in ms of the emulator's clock. */
  readonly attributedAt: number | null;
}

/** The hits and events a lookup answers once a session is attributed. */
export interface TapstreamConversion {
  readonly hits: readonly TapstreamHit[];
  readonly events: readonly TapstreamAppEvent[];
}

interface StoredHit {
  readonly account: string;
  readonly hit: TapstreamHit;
}

/** An app event with what only postbacks read. */
export interface StoredAppEvent {
  readonly event: TapstreamAppEvent;
  readonly ip: string;
  postedBack: boolean;
}

/** The emulator's view of a session, for postbacks. */
export interface StoredSession {
  readonly uuid: string;
  account: string | null;
  readonly events: StoredAppEvent[];
  timeline?: string;
  attributedAt?: number;
}

/**
 * Tapstream's data: click timelines of web hits, event sessions of app events, and the permanent
 * join between them that fingerprinting makes (here: `attribute`).
 */
export class TimelineStore {
  readonly #timelines = new Map<string, StoredHit[]>();
  readonly #sessions = new Map<string, StoredSession>();
  #hitCount = 0;
  #anonymousTimelines = 0;

  clear(): void {
    this.#timelines.clear();
    this.#sessions.clear();
    this.#hitCount = 0;
    this.#anonymousTimelines = 0;
  }

  /** Adds a hit to its timeline; a hit without one (an SDK hit) starts a timeline of its own. */
  addHit(
    account: string,
    hit: {
      readonly tracker: string;
      readonly timeline: string | undefined;
      readonly created: number;
      readonly tags: readonly string[];
      readonly customParameters: ReadonlyArray<readonly [string, string]>;
    },
  ): TapstreamHit {
    const timeline = hit.timeline || `timeline-${++this.#anonymousTimelines}`;
    const stored: TapstreamHit = Object.freeze({
      id: ++this.#hitCount,
      tracker: hit.tracker,
      created: hit.created,
      session_id: timeline,
      tags: Object.freeze([...hit.tags]),
      custom_parameters: Object.freeze(Object.fromEntries(hit.customParameters)),
    });
    const hits = this.#timelines.get(timeline);
    if (hits) hits.push({ account, hit: stored });
    else this.#timelines.set(timeline, [{ account, hit: stored }]);
    return stored;
  }

  /** Adds an app event to its session. */
  addEvent(account: string, uuid: string, event: TapstreamAppEvent, ip: string): StoredSession {
    const session = this.#session(uuid);
    session.account ??= account;
    session.events.push({ event: Object.freeze(event), ip, postedBack: false });
    return session;
  }

  /** True when the timeline has a hit. */
  hasTimeline(id: string): boolean {
    return this.#timelines.has(id);
  }

  /**
   * Joins a session to a click timeline from `at` (ms) on. Permanent: a second call for another
   * timeline throws; for the same timeline it changes nothing.
   */
  attribute(uuid: string, timeline: string, at: number): StoredSession {
    const session = this.#session(uuid);
    if (session.timeline !== undefined) {
      if (session.timeline !== timeline) {
        throw new Error(
          `event session "${uuid}" is already attributed to timeline "${session.timeline}": Tapstream's join is permanent`,
        );
      }
      return session;
    }
    session.timeline = timeline;
    session.attributedAt = at;
    session.account ??= this.#timelines.get(timeline)?.[0]?.account ?? null;
    return session;
  }

  /** The stored session, for postbacks. */
  session(uuid: string): StoredSession | undefined {
    return this.#sessions.get(uuid);
  }

  /**
   * What a lookup through `account` answers for a session at `now`: the timeline's hits of that
   * account (oldest first, the credited one at 0) and the session's events; undefined before the
   * attribution takes effect, or for a session of another account.
   */
  conversion(account: string, uuid: string, now: number): TapstreamConversion | undefined {
    const session = this.#sessions.get(uuid);
    if (!session || session.timeline === undefined || session.account !== account) return undefined;
    if (now < session.attributedAt!) return undefined;
    const hits = this.#hitsOf(session.timeline, account);
    if (hits.length === 0) return undefined;
    return { hits, events: session.events.map((stored) => stored.event) };
  }

  /** The credited (oldest) hit of a session's timeline. */
  creditedHit(session: StoredSession): TapstreamHit | undefined {
    if (session.timeline === undefined || session.account === null) return undefined;
    return this.#hitsOf(session.timeline, session.account)[0];
  }

  timelines(): TapstreamTimeline[] {
    return [...this.#timelines.entries()].map(([id, hits]) => ({
      id,
      hits: hits.map((stored) => stored.hit),
    }));
  }

  timeline(id: string): TapstreamTimeline | undefined {
    const hits = this.#timelines.get(id);
    return hits ? { id, hits: hits.map((stored) => stored.hit) } : undefined;
  }

  sessions(): TapstreamSession[] {
    return [...this.#sessions.values()].map((session) => ({
      uuid: session.uuid,
      account: session.account,
      events: session.events.map((stored) => stored.event),
      timeline: session.timeline ?? null,
      attributedAt: session.attributedAt ?? null,
    }));
  }

  #hitsOf(timeline: string, account: string): TapstreamHit[] {
    return (this.#timelines.get(timeline) ?? [])
      .filter((stored) => stored.account === account)
      .map((stored) => stored.hit)
      .sort((a, b) => a.created - b.created || a.id - b.id);
  }

  #session(uuid: string): StoredSession {
    let session = this.#sessions.get(uuid);
    if (!session) {
      session = { uuid, account: null, events: [] };
      this.#sessions.set(uuid, session);
    }
    return session;
  }
}
