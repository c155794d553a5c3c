/**
 * Pauses of an origin that limits every request. One 429 or 503 only delays its own request (its
 * `Retry-After` is a floor for that request) and takes a slot off the window; a pause of every send
 * to the origin takes a **sustained run**: at least 8 limited or failed answers in a row (429, 5xx,
 * 408, timeouts, network errors), and at least an eighth of a round trip's worth (of the requests
 * in flight), with no healthy answer between. Scattered ones (even 18% of answers) almost never make such a run; an endpoint
 * that limits everything, or is down, makes one within a round trip.
 *
 * The pause lasts the server's `Retry-After` when it gave one, else a backoff that doubles with
 * every pause of the run (`retry.baseDelayMs` up to `retry.maxDelayMs`, half of it jittered). After
 * it one request probes (the window restarts at 1), so an endpoint that stays down is probed a few
 * times a minute, not hammered by every queued request on its own schedule.
 */
export interface OriginPauses {
  /** A healthy answer from the origin: the run is over. */
  healthy(origin: string): void;
  /**
   * A limited answer from the origin at monotonic time `now`. Returns true when it starts a pause
   * (the run became sustained, or goes on after a pause ended).
   */
  limited(origin: string, sample: LimitedAnswer): boolean;
  /** Until when sends to the origin wait (monotonic), if it is paused at `now`. */
  pausedUntil(origin: string, now: number): number | undefined;
}

/** A limited answer, as the pauses weigh it. */
export interface LimitedAnswer {
  readonly now: number;
  /** Requests in flight when it came (it included): the run must cover an eighth of them. */
  readonly inFlight: number;
  /** The server's `Retry-After` as a delay. */
  readonly retryAfterMs?: number | undefined;
  /** The backoff of the n-th pause in a row (1 for the first). */
  readonly backoffMs: (pause: number) => number;
}

interface OriginRun {
  streak: number;
  pauses: number;
  until: number;
}

/** The shortest run that pauses an origin. */
const SUSTAINED_MIN = 8;
/** ...and the share of a round trip's answers (the requests in flight) it must also cover. */
const SUSTAINED_SHARE = 1 / 8;

/** Creates the pause book of a queue (every origin it sends to). */
export function createOriginPauses(): OriginPauses {
  const runs = new Map<string, OriginRun>();
  return {
    healthy(origin) {
      runs.delete(origin);
    },
    limited(origin, sample) {
      let run = runs.get(origin);
      if (!run) {
        run = { streak: 0, pauses: 0, until: Number.NEGATIVE_INFINITY };
        runs.set(origin, run);
      }
      run.streak++;
      const sustained = Math.max(SUSTAINED_MIN, Math.ceil(sample.inFlight * SUSTAINED_SHARE));
      if (run.streak < sustained) return false;
      const floor = sample.now + (sample.retryAfterMs ?? 0);
      if (run.until > sample.now) {
        // Already paused: answers still in flight can only lengthen it to their Retry-After.
        run.until = Math.max(run.until, floor);
        return false;
      }
      run.pauses++;
      run.until =
        sample.retryAfterMs === undefined ? sample.now + sample.backoffMs(run.pauses) : floor;
      return true;
    },
    pausedUntil(origin, now) {
      const until = runs.get(origin)?.until;
      return until !== undefined && until > now ? until : undefined;
    },
  };
}
