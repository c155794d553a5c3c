import { codePointLength, percentEncode, truncateCodePoints } from '@kmkit/core/internal';
import type { RelayRefusal } from './answers.js';

/** A Kissmetrics tracking API path the relay serves. */
export type TrackingApiPath = '/e' | '/s' | '/a';

/** What the relay holds a browser's request to (kmkit's own limits, see the options). */
export interface ParamLimits {
  /** The API keys `_k` may name. */
  readonly apiKeys: ReadonlySet<string>;
  /** Longest identity, event name or property name, in code points (255). */
  readonly nameLength: number;
  /** Longest property value, in code points (512); longer ones are cut. */
  readonly valueLength: number;
  /** Most parameters in one request, query and body together. */
  readonly maxParameters: number;
}

/** The visitor as the relay saw them, added as `_ip` and `_ua` unless the page set them. */
export interface Visitor {
  readonly ip?: string | undefined;
  readonly userAgent?: string | null | undefined;
}

/** A request read and checked: its parameters in wire order, ready to encode again. */
export interface CheckedParams {
  readonly path: TrackingApiPath;
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** What was changed to fit Kissmetrics' limits (a property dropped, a value cut). */
  readonly adjustments: readonly string[];
  /** The `_ip` sent: the page's own, or the visitor's address; undefined when none. */
  readonly ip: string | undefined;
}

// Past this, a `_t` is surely milliseconds (Unix seconds reach 10^11 in the year 5138).
const MAX_SECONDS = 99_999_999_999;
// C0 and C1 control characters: no identity or event name holds one.
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

const refuse = (reason: RelayRefusal['reason'], message: string): RelayRefusal => ({
  reason,
  message,
});

/** Decodes one form component strictly: `+` is a space, and a bad escape or invalid UTF-8 throws. */
function decodeComponent(text: string): string {
  const spaced = text.indexOf('+') === -1 ? text : text.replace(/\+/g, ' ');
  return spaced.indexOf('%') === -1 ? spaced : decodeURIComponent(spaced);
}

/**
 * Splits form-encoded text into decoded pairs, appending to `into`. Returns a refusal for a bad
 * escape, invalid UTF-8 or one pair too many (counted before decoding, so a flood costs little).
 */
function readForm(
  text: string,
  into: [string, string][],
  maxParameters: number,
): RelayRefusal | undefined {
  if (text === '') return undefined;
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    if (into.length >= maxParameters) {
      return refuse(
        'too_many_parameters',
        `more than ${maxParameters} parameters: a kmkit request has a few dozen at most`,
      );
    }
    const equals = piece.indexOf('=');
    const rawKey = equals === -1 ? piece : piece.slice(0, equals);
    const rawValue = equals === -1 ? '' : piece.slice(equals + 1);
    try {
      into.push([decodeComponent(rawKey), decodeComponent(rawValue)]);
    } catch {
      return refuse(
        'malformed_request',
        `parameter "${rawKey.slice(0, 40)}" is not percent-encoded UTF-8: encode every key and value with encodeURIComponent`,
      );
    }
  }
  return undefined;
}

function checkName(
  key: '_p' | '_n',
  value: string | undefined,
  limits: ParamLimits,
  missing: RelayRefusal,
): RelayRefusal | undefined {
  if (value === undefined || value === '') return missing;
  if (codePointLength(value) > limits.nameLength) {
    return refuse('name_too_long', `${key} is over ${limits.nameLength} characters`);
  }
  if (hasControl(value)) {
    return refuse('invalid_name', `${key} holds a control character`);
  }
  return undefined;
}

/**
 * Reads a browser's tracking request the way Kissmetrics would, and checks it against kmkit's
 * rules: the API key is one of the relay's, `_p` (and `_n` for `/e` and `/a`) present and within
 * the name limit, `_t` whole seconds with `_d=1`, no control parameter given twice with different
 * values. A property name over the limit is dropped and a value over it cut, as kmkit's mapping
 * does (listed in `adjustments`). `_t` and `_d=1` are added to `/e` and `/s` when missing, so
 * that every resend of the relay is the same event; `_ip` and `_ua` come from `visitor` unless the
 * page set them.
 */
export function checkParams(
  path: TrackingApiPath,
  query: string,
  body: string,
  limits: ParamLimits,
  visitor: Visitor,
  now: number,
): CheckedParams | RelayRefusal {
  const pairs: [string, string][] = [];
  const bad =
    readForm(query, pairs, limits.maxParameters) ?? readForm(body, pairs, limits.maxParameters);
  if (bad) return bad;

  // One value per key: a control parameter given twice must agree (a second _k could otherwise
  // name another product than the one checked); a property given twice keeps its last value.
  const values = new Map<string, string>();
  const adjustments: string[] = [];
  for (const [key, value] of pairs) {
    const before = values.get(key);
    if (before !== undefined && before !== value && key.charCodeAt(0) === 95) {
      return refuse('duplicate_parameter', `${key} is given twice with different values`);
    }
    if (key === '') {
      adjustments.push('a parameter with an empty name was dropped');
      continue;
    }
    values.delete(key);
    values.set(key, value);
  }

  const apiKey = values.get('_k');
  if (apiKey === undefined || apiKey === '') {
    return refuse('missing_api_key', 'no _k: every request names the product API key');
  }
  if (!limits.apiKeys.has(apiKey)) {
    return refuse('unknown_api_key', 'this relay forwards only its own API keys');
  }
  const person = checkName(
    '_p',
    values.get('_p'),
    limits,
    refuse('missing_identity', 'no _p: Kissmetrics cannot tell whose row this is'),
  );
  if (person) return person;
  if (path !== '/s') {
    const name = checkName(
      '_n',
      values.get('_n'),
      limits,
      path === '/e'
        ? refuse('missing_event_name', 'no _n: /e needs the event name')
        : refuse('missing_alias', 'no _n: /a needs the second identity'),
    );
    if (name) return name;
  }

  const time = values.get('_t');
  if (time !== undefined) {
    if (!/^\d{1,11}$/.test(time) || Number(time) > MAX_SECONDS) {
      return refuse('invalid_time', `_t=${time.slice(0, 20)} is not whole Unix seconds`);
    }
    if (values.get('_d') !== '1') {
      return refuse(
        'invalid_time',
        `_t without _d=1: Kissmetrics would ignore _t and use its receive time`,
      );
    }
  } else if (path !== '/a') {
    values.set('_t', String(Math.floor(now / 1000)));
    values.set('_d', '1');
  }

  const params: [string, string][] = [];
  for (const [key, value] of values) {
    if (key.charCodeAt(0) === 95 || path === '/a') {
      params.push([key, value]);
    } else if (codePointLength(key) > limits.nameLength) {
      adjustments.push(
        `property "${key.slice(0, 40)}..." was dropped: its name is over ${limits.nameLength} characters`,
      );
    } else if (value.length > limits.valueLength && codePointLength(value) > limits.valueLength) {
      adjustments.push(`property "${key}" was cut to ${limits.valueLength} characters`);
      params.push([key, truncateCodePoints(value, limits.valueLength)]);
    } else {
      params.push([key, value]);
    }
  }
  if (path !== '/a') {
    if (visitor.ip && !values.has('_ip')) params.push(['_ip', visitor.ip]);
    if (visitor.userAgent && !values.has('_ua')) {
      params.push(['_ua', truncateCodePoints(visitor.userAgent, limits.valueLength)]);
    }
  }
  return {
    path,
    params,
    adjustments,
    ip: values.get('_ip') ?? (path === '/a' ? undefined : visitor.ip),
  };
}

/** The parameters form-encoded again, every key and value percent-encoded (so one byte a character). */
export function encodeParams(params: CheckedParams['params']): string {
  let text = '';
  for (const [key, value] of params) {
    text += `${text === '' ? '' : '&'}${percentEncode(key)}=${percentEncode(value)}`;
  }
  return text;
}
