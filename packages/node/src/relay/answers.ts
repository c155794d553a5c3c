/**
 * Why the relay refused a request, each with its HTTP status:
 *
 * - 400: `malformed_request` (a bad percent escape or invalid UTF-8), `too_many_parameters`,
 *   `duplicate_parameter` (a control parameter twice with different values), `missing_api_key`,
 *   `missing_identity` (no `_p`), `missing_event_name` (`/e` without `_n`), `missing_alias` (`/a`
 *   without `_n`), `name_too_long` (`_p` or `_n` over the name limit), `invalid_name` (a control
 *   character in `_p` or `_n`), `invalid_time` (`_t` not whole seconds, or without `_d=1`);
 * - 403: `unknown_api_key` (not one of the relay's: it is never an open relay),
 *   `origin_not_allowed` (an `Origin` that is neither the relay's own nor in `allowedOrigins`);
 * - 404: `unknown_path` (not `/e`, `/s`, `/a` or `/health`); 405: `method_not_allowed`;
 * - 408: `body_timeout` (the body did not arrive within `bodyTimeoutMs`);
 * - 413: `payload_too_large` (over `maxBodyBytes`); 414: `uri_too_long` (over `maxUrlBytes`);
 * - 415: `unsupported_media_type` (a body that is not form-encoded or plain text);
 * - 503 with `Retry-After`: `queue_full`, `spool_full`, `spool_failed`, `closed` (the request
 *   could not be queued, or written to the spool: the browser keeps it and sends it again);
 * - 500: `internal_error`.
 */
export type RelayRefusalReason =
  | 'malformed_request'
  | 'too_many_parameters'
  | 'duplicate_parameter'
  | 'missing_api_key'
  | 'missing_identity'
  | 'missing_event_name'
  | 'missing_alias'
  | 'name_too_long'
  | 'invalid_name'
  | 'invalid_time'
  | 'unknown_api_key'
  | 'origin_not_allowed'
  | 'unknown_path'
  | 'method_not_allowed'
  | 'body_timeout'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'queue_full'
  | 'spool_full'
  | 'spool_failed'
  | 'closed'
  | 'internal_error';

/** A refusal before the status is attached. */
export interface RelayRefusal {
  readonly reason: RelayRefusalReason;
  readonly message: string;
}

/** The HTTP status of each refusal. */
export const REFUSAL_STATUS: Readonly<Record<RelayRefusalReason, number>> = {
  malformed_request: 400,
  too_many_parameters: 400,
  duplicate_parameter: 400,
  missing_api_key: 400,
  missing_identity: 400,
  missing_event_name: 400,
  missing_alias: 400,
  name_too_long: 400,
  invalid_name: 400,
  invalid_time: 400,
  unknown_api_key: 403,
  origin_not_allowed: 403,
  unknown_path: 404,
  method_not_allowed: 405,
  body_timeout: 408,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  queue_full: 503,
  spool_full: 503,
  spool_failed: 503,
  closed: 503,
  internal_error: 500,
};

/** What the relay answered, as its `answer` event reports it. */
export type RelayAnswer =
  | {
      readonly status: 200;
      readonly outcome: 'accepted';
      /** The API path, `/e`, `/s` or `/a`. */
      readonly path: string;
      /** What was changed to fit Kissmetrics' limits. */
      readonly adjustments: readonly string[];
      /** The `_ip` sent (the page's own, or the visitor's address); undefined when none. */
      readonly ip: string | undefined;
    }
  | { readonly status: number; readonly outcome: 'preflight' | 'health' }
  | {
      readonly status: number;
      readonly outcome: 'refused';
      readonly reason: RelayRefusalReason;
      readonly message: string;
      /** What threw, for `internal_error`. */
      readonly error?: unknown;
    };

/** An answer ready for any server: status, headers, body. */
export interface RelayReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string;
}

// What Kissmetrics answers to every tracking request: a 1x1 transparent GIF.
const GIF = Uint8Array.from(
  atob('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=='),
  (char) => char.charCodeAt(0),
);

/** The answer to an accepted request: Kissmetrics' own (200 and the GIF), never cached. */
export function acceptedReply(): RelayReply {
  return {
    status: 200,
    headers: { 'content-type': 'image/gif', 'cache-control': 'no-store' },
    body: GIF,
  };
}

/** A refusal as JSON (`{ outcome, reason, message }`); a 503 says when to try again. */
export function refusalReply(refusal: RelayRefusal, retryAfterSeconds: number): RelayReply {
  const status = REFUSAL_STATUS[refusal.reason];
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (status === 503) headers['retry-after'] = String(retryAfterSeconds);
  if (status === 405) headers.allow = 'GET, POST, OPTIONS';
  return {
    status,
    headers,
    body: JSON.stringify({ outcome: 'refused', reason: refusal.reason, message: refusal.message }),
  };
}

/** A JSON answer (the health check). */
export function jsonReply(status: number, value: unknown): RelayReply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(value),
  };
}
