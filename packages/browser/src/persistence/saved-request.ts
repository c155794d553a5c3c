import type { StoredRequest, TrackingRequest } from '@kmkit/core';
import { KISSMETRICS_ORIGIN } from '../transport/kissmetrics-host.js';

/** What a saved entry must be for kmkit to send it. */
export interface SavedRequestRules {
  /** The configured endpoint's base URL, without a trailing `/`: every request goes under it. */
  readonly base: string;
  /** The clock, in ms. */
  readonly now: () => number;
  /** How old a request may be (`retry.maxAgeMs`); a time further ahead than this is no time. */
  readonly maxAgeMs: number;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * The request saved under `id` as `{ t, r }`, when it is one this client may send: a string `url`
 * under the configured endpoint (so nothing goes to another origin), or under a Kissmetrics host,
 * then re-based onto the configured endpoint (same path and query, so the same `_t`: a site that
 * moves from the Kissmetrics host to its own relay keeps its queue); a `GET` without a body or a
 * `POST` with a text one, and a numeric time no further ahead than the age bound
 * (older ones are the delivery engine's to expire, and report). `undefined` for anything else:
 * another version's entry, a damaged one, or one written by a script that is not kmkit.
 */
export function readSavedRequest(
  id: string,
  value: string | null,
  { base, now, maxAgeMs }: SavedRequestRules,
): StoredRequest | undefined {
  try {
    const { t, r } = JSON.parse(value!) as { t: unknown; r: Partial<TrackingRequest> };
    const { method, body } = r;
    let { url } = r;
    if (typeof url === 'string' && !url.startsWith(`${base}/`)) {
      url = url.replace(KISSMETRICS_ORIGIN, base);
    }
    if (
      typeof t === 'number' &&
      t <= now() + maxAgeMs &&
      typeof url === 'string' &&
      url.startsWith(`${base}/`) &&
      (method === 'POST' ? typeof body === 'string' : method === 'GET' && body === undefined)
    ) {
      // Headers are the encoding's own, never read back: a POST is a form.
      const request: TrackingRequest =
        method === 'GET' ? { method, url } : { method: 'POST', url, body, headers: FORM };
      return { id, request, enqueuedAt: t };
    }
  } catch {
    // Not JSON, or not an object.
  }
}
