/** One postback of an attributed app event, as the forwarder read it. */
export interface TapstreamPostback {
  /** The web visitor's Kissmetrics identity (`_p` of the event), trimmed. */
  readonly identity: string;
  /** The Kissmetrics event name. */
  readonly event: string;
  /** When the app event happened, in whole Unix seconds (`_t`). */
  readonly time: number;
  /** The credited hit's tracker slug, when the postback carries it. */
  readonly tracker?: string;
  /** Every parameter of the postback (query and form body) except the secret. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** What the forwarder did with a postback: sent it on, ignored it on purpose, or refused it. */
export type PostbackOutcome = 'forwarded' | 'ignored' | 'rejected';

/**
 * Why a postback was ignored or refused, with its status:
 *
 * - 202 `unattributed`: the identity is empty (an app user no website visitor is credited with);
 *   `generic_identity`: a placeholder such as `undefined` that must never become a person.
 * - 400 `invalid_identity` (a control character such as `%00`, or not UTF-8: a truncated
 *   sequence), `identity_too_long`, `missing_event_name`, `event_name_too_long`, `missing_time`,
 *   `invalid_time`, `invalid_event` (Kissmetrics' rules refused it), `invalid_request`.
 * - 401 `unauthorized`: the secret is missing or wrong.
 * - 405 `method_not_allowed`: not GET or POST.
 * - 408 `request_timeout`: the body did not arrive within `bodyTimeoutMs`.
 * - 413 `payload_too_large`: a body over the limit (64 KB).
 * - 503 `not_accepted`: the Kissmetrics client refused the event (its queue or spool is full,
 *   the spool could not write it, or it is closed); `Retry-After` says when to try again.
 * - 500 `internal_error`: your `eventName` or `properties` function threw, or a bug.
 */
export type PostbackReason =
  | 'unattributed'
  | 'generic_identity'
  | 'missing_event_name'
  | 'event_name_too_long'
  | 'missing_time'
  | 'invalid_time'
  | 'identity_too_long'
  | 'invalid_identity'
  | 'invalid_event'
  | 'invalid_request'
  | 'unauthorized'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'payload_too_large'
  | 'not_accepted'
  | 'internal_error';

/** The forwarder's answer to one request, also given to `on('postback')` listeners. */
export interface PostbackAnswer {
  /** The HTTP status: 200, 202, 400, 401, 405, 408, 413, 500 or 503. */
  readonly status: number;
  readonly outcome: PostbackOutcome;
  /** Why, unless forwarded. */
  readonly reason?: PostbackReason;
  /** What happened, in words. */
  readonly message: string;
  /** The postback, once it was read (forwarded, and refused by the client). */
  readonly postback?: TapstreamPostback;
  /** What was thrown, for `internal_error` and `invalid_event`. */
  readonly error?: unknown;
}
