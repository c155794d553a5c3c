import type { KmValue, KmWireCommand } from '../model/command.js';
import { DEV } from '../model/development.js';
import { KmValidationError } from '../model/errors.js';
import { percentEncode } from './percent.js';

/** The current Kissmetrics tracking host. */
export const DEFAULT_ENDPOINT = 'https://trk.kissmetrics.io';

/** Segment's server integration switches to POST past this many bytes of query string. */
export const DEFAULT_MAX_QUERY_BYTES = 2048;

/** One HTTP request to the Kissmetrics tracking API, ready for any `fetch`-like transport. */
export interface TrackingRequest {
  readonly method: 'GET' | 'POST';
  /** The full URL. For a GET it carries every parameter; for a POST only the path. */
  readonly url: string;
  /** The form-encoded parameters of a POST (`application/x-www-form-urlencoded`). */
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of {@link toTrackingRequest}. */
export interface TrackingRequestOptions {
  /** Your Kissmetrics API key (`_k`). */
  readonly apiKey: string;
  /**
   * Base URL of the tracking API, default `https://trk.kissmetrics.io`. A path is kept, so a
   * first-party proxy such as `https://example.com/km` works (`https://example.com/km/e?...`).
   */
  readonly endpoint?: string;
  /** Past this many bytes of query string the request becomes a POST with the same body. */
  readonly maxQueryBytes?: number;
}

// Pure: a bundle that never encodes a request (the browser's device entry) drops it.
const FORM_HEADERS: Readonly<Record<string, string>> = /* @__PURE__ */ Object.freeze({
  'content-type': 'application/x-www-form-urlencoded',
});

const PATHS = { record: '/e', set: '/s', alias: '/a' } as const;

// Property names repeat across events, so their encoded form is remembered: at most 1024 names of
// at most 64 characters, forgotten all at once when full. Output is the same either way.
const encodedNames = new Map<string, string>();
const ENCODED_NAMES_MAX = 1024;
const ENCODED_NAME_LENGTH_MAX = 64;

function encodeName(name: string): string {
  if (name.length > ENCODED_NAME_LENGTH_MAX) return percentEncode(name);
  let encoded = encodedNames.get(name);
  if (encoded === undefined) {
    encoded = percentEncode(name);
    if (encodedNames.size >= ENCODED_NAMES_MAX) encodedNames.clear();
    encodedNames.set(name, encoded);
  }
  return encoded;
}

function encodeValue(value: KmValue): string {
  if (typeof value === 'string') return percentEncode(value);
  // A boolean, or a number's digits, ".", "-", need no escaping; only an exponent's "+" does.
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  return typeof value === 'number' && text.indexOf('e') === -1 ? text : percentEncode(text);
}

// Clients pass the same API key every time, and the commands of one event share a person: encode
// each once.
let lastKey = '';
let lastEncodedKey = '';
let lastPerson = '';
let lastEncodedPerson = '';

// Endpoints are validated once per distinct string; clients pass the same one every time.
let lastEndpoint = '';
let lastBase = '';
function baseUrl(endpoint: string): string {
  if (endpoint === lastEndpoint) return lastBase;
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw new KmValidationError(
      'invalid_option',
      'endpoint',
      DEV
        ? `endpoint "${endpoint}" is not an absolute URL: pass a base URL such as https://trk.kissmetrics.io`
        : '',
    );
  }
  if (parsed.search || parsed.hash) {
    throw new KmValidationError(
      'invalid_option',
      'endpoint',
      DEV
        ? `endpoint "${endpoint}" has a query or fragment: pass only the base URL (scheme, host, optional path)`
        : '',
    );
  }
  lastEndpoint = endpoint;
  lastBase = endpoint.replace(/\/+$/, '');
  return lastBase;
}

/**
 * Encodes a command as a Kissmetrics tracking request: `/e`, `/s` or `/a` with `_k`, `_p`, `_n`,
 * `_t` and `_d=1`, then the properties, every key and value percent-encoded. A GET, or a POST with
 * the same form body when the query string would pass `maxQueryBytes` (2048).
 *
 * @throws {KmValidationError} `not_encodable` for device-only commands, `missing_identity` for a
 * command without `person`, `invalid_option` for a bad `apiKey` or `endpoint`.
 */
export function toTrackingRequest(
  command: KmWireCommand,
  options: TrackingRequestOptions,
): TrackingRequest {
  const path = PATHS[command.type];
  if (path === undefined) {
    throw new KmValidationError(
      'not_encodable',
      'type',
      DEV
        ? `a "${(command as { type: string }).type}" command has no HTTP form: it only exists in device mode`
        : '',
    );
  }
  if (typeof options?.apiKey !== 'string' || options.apiKey === '') {
    throw new KmValidationError(
      'invalid_option',
      'apiKey',
      DEV
        ? 'apiKey is required: pass your Kissmetrics API key (Product Settings in Kissmetrics)'
        : '',
    );
  }
  if (typeof command.person !== 'string' || command.person === '') {
    throw new KmValidationError(
      'missing_identity',
      'person',
      DEV
        ? 'the command has no person (_p): Kissmetrics would drop it; map events in cloud mode'
        : '',
    );
  }

  if (options.apiKey !== lastKey) {
    lastEncodedKey = percentEncode(options.apiKey);
    lastKey = options.apiKey;
  }
  if (command.person !== lastPerson) {
    lastEncodedPerson = percentEncode(command.person);
    lastPerson = command.person;
  }
  let query = `_k=${lastEncodedKey}&_p=${lastEncodedPerson}`;
  if (command.type === 'alias') {
    query += `&_n=${percentEncode(command.alias)}`;
  } else {
    // Not through the name cache: event names are usually fresh strings (built per page view, or
    // parsed from JSON), and hashing a fresh string costs more than encoding it.
    if (command.type === 'record') query += `&_n=${percentEncode(command.event)}`;
    if (command.time !== undefined) {
      if (!Number.isSafeInteger(command.time)) {
        throw new KmValidationError(
          'invalid_message',
          'time',
          DEV
            ? `time ${command.time} is not whole Unix seconds: Kissmetrics reads _t in seconds`
            : '',
        );
      }
      query += `&_t=${command.time}&_d=1`;
    }
    const properties = command.properties;
    const keys = Object.keys(properties);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      query += `&${encodeName(key)}=${encodeValue(properties[key]!)}`;
    }
  }

  const url = baseUrl(options.endpoint ?? DEFAULT_ENDPOINT) + path;
  const limit = options.maxQueryBytes ?? DEFAULT_MAX_QUERY_BYTES;
  // Fully percent-encoded, so one character is one byte.
  if (query.length <= limit) return { method: 'GET', url: `${url}?${query}` };
  return { method: 'POST', url, body: query, headers: FORM_HEADERS };
}
