import { codePointLength, parseTimestamp } from '@kmkit/core/internal';
import { isGenericIdentity } from '../identity/index.js';
import type { PostbackAnswer, TapstreamPostback } from './postback.js';
import { normalizePostbackIdentity } from './postback-identity.js';
import { POSTBACK_PARAMETERS } from './postback-url-template.js';

/** How to read a postback's parameters. */
export interface PostbackReading {
  /** The parameter holding the Kissmetrics identity. */
  readonly identityField: string;
  /** Checks the given secret (in constant time). */
  readonly checkSecret: (given: string | undefined) => boolean;
  /** A fixed event name, or one made from the parameters; default the `event` parameter. */
  readonly eventName?:
    | string
    | ((parameters: Readonly<Record<string, string>>) => string | undefined);
}

const MAX_NAME_LENGTH = 255;

function refuse(status: number, reason: PostbackAnswer['reason'], message: string): PostbackAnswer {
  return { status, outcome: status === 202 ? 'ignored' : 'rejected', reason, message };
}

function nameOf(
  reading: PostbackReading,
  parameters: Readonly<Record<string, string>>,
): string | undefined {
  const { eventName } = reading;
  if (typeof eventName === 'string') return eventName;
  if (typeof eventName === 'function') {
    const name = eventName(parameters);
    return typeof name === 'string' ? name : undefined;
  }
  return parameters[POSTBACK_PARAMETERS.event];
}

/**
 * Reads a postback's parameters (query and form body merged, a later value winning): the secret
 * first, then the identity (trimmed; refused with a control character or invalid UTF-8), event
 * name and time. Returns the postback, or the answer that refuses
 * or ignores it. Throws only what a user's `eventName` function throws.
 */
export function readPostback(
  pairs: Iterable<[string, string]>,
  reading: PostbackReading,
): TapstreamPostback | PostbackAnswer {
  const parameters: Record<string, string> = Object.create(null);
  let secret: string | undefined;
  for (const [key, value] of pairs) {
    if (key === POSTBACK_PARAMETERS.secret) secret = value;
    else parameters[key] = value;
  }
  // Nothing about the postback is revealed to a caller without the secret.
  if (!reading.checkSecret(secret)) {
    return refuse(401, 'unauthorized', 'the secret is missing or wrong: nothing was sent');
  }

  const field = reading.identityField;
  const normalized = normalizePostbackIdentity(parameters[field] ?? '');
  if ('invalid' in normalized) {
    return refuse(
      400,
      'invalid_identity',
      normalized.invalid === 'control_character'
        ? `${field} holds a control character (such as %00): it is not a visitor's identity, so nothing was sent`
        : `${field} is not valid UTF-8 (a cut or mis-encoded value): it is not a visitor's identity, so nothing was sent`,
    );
  }
  const { identity } = normalized;
  if (identity === '') {
    return refuse(
      202,
      'unattributed',
      `no ${field}: Tapstream credits this app user to no website visitor of the bridge, so nothing was sent`,
    );
  }
  if (isGenericIdentity(identity)) {
    return refuse(
      202,
      'generic_identity',
      `${field} ${JSON.stringify(identity)} is a placeholder, not a visitor: nothing was sent (check the website snippet)`,
    );
  }
  if (codePointLength(identity) > MAX_NAME_LENGTH) {
    return refuse(
      400,
      'identity_too_long',
      `${field} is over ${MAX_NAME_LENGTH} characters, Kissmetrics' limit for an identity`,
    );
  }

  const event = nameOf(reading, parameters);
  if (event === undefined || event.trim() === '') {
    return refuse(
      400,
      'missing_event_name',
      'no event name: the postback URL needs event=TS{event.name} (or set the eventName option)',
    );
  }
  if (codePointLength(event) > MAX_NAME_LENGTH) {
    return refuse(
      400,
      'event_name_too_long',
      `the event name is over ${MAX_NAME_LENGTH} characters, Kissmetrics' limit`,
    );
  }

  const timeText = parameters[POSTBACK_PARAMETERS.time];
  if (timeText === undefined || timeText.trim() === '') {
    return refuse(
      400,
      'missing_time',
      "no time: the postback URL needs time=TS{event.timestamp}, so a repeated postback is the same event (Kissmetrics' duplicate rule)",
    );
  }
  const ms = parseTimestamp(timeText);
  if (ms === undefined || ms < 1000) {
    return refuse(
      400,
      'invalid_time',
      `time ${JSON.stringify(timeText.slice(0, 40))} is not a time: send Unix seconds or milliseconds (or ISO 8601)`,
    );
  }

  const tracker = parameters[POSTBACK_PARAMETERS.tracker];
  return {
    identity,
    event,
    time: Math.floor(ms / 1000),
    ...(tracker === undefined || tracker === '' ? {} : { tracker }),
    parameters,
  };
}

/** True for a read postback, false for an answer. */
export function isPostback(value: TapstreamPostback | PostbackAnswer): value is TapstreamPostback {
  return !('status' in value);
}
