import type { TrackingRequest } from './tracking-request.js';

/** A tracking request read back the way the Kissmetrics server reads it. */
export interface ParsedTrackingRequest {
  /** Scheme, host and any proxy path before the API path (`https://trk.kissmetrics.io`). */
  readonly endpoint: string;
  /** The API path: `/e`, `/s`, `/a`, or anything else that was requested. */
  readonly path: string;
  /**
   * Every parameter, query and form body merged (the body wins), decoded with form rules: `%XX`
   * escapes and `+` as a space, which is what corrupts unencoded Base64 identities.
   * Kept in wire order; a repeated key keeps its last value.
   */
  readonly params: Readonly<Record<string, string>>;
}

/** The request shape {@link parseTrackingRequest} reads: a {@link TrackingRequest} or the like. */
export type TrackingRequestLike = Pick<TrackingRequest, 'url'> & {
  readonly method?: string;
  readonly body?: string | null;
};

const API_PATH = /\/(?:e|s|a)$/;

function readForm(form: string, into: Record<string, string>): void {
  for (const [key, value] of new URLSearchParams(form)) {
    // A key such as "__proto__" must stay an ordinary entry.
    Object.defineProperty(into, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/**
 * Decodes a tracking request into its endpoint, API path and parameters: the inverse of
 * `toTrackingRequest`, used by `@kmkit/msw` to emulate the server and by tests to read what was sent.
 */
export function parseTrackingRequest(request: TrackingRequestLike): ParsedTrackingRequest {
  const url = new URL(request.url);
  const params: Record<string, string> = Object.create(null);
  readForm(url.search, params);
  if (request.body) readForm(request.body, params);
  const match = API_PATH.exec(url.pathname);
  const prefix = match ? url.pathname.slice(0, match.index) : url.pathname.replace(/\/[^/]*$/, '');
  return {
    endpoint: `${url.protocol}//${url.host}${prefix}`,
    path: match ? match[0] : url.pathname,
    params,
  };
}
