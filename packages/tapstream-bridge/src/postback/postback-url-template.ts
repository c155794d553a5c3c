import { KmValidationError } from '@kmkit/core';
import { percentEncode } from '@kmkit/core/internal';
import { checkIdentityParameter } from '../timeline/extract-km-identity.js';

/** Options of {@link postbackUrlTemplate}. */
export interface PostbackUrlTemplateOptions {
  /** Where your forwarder listens, e.g. `https://example.com/tapstream` (a query is kept). */
  readonly baseUrl: string;
  /** The forwarder's `secret`. */
  readonly secret: string;
  /** The hit custom parameter holding the Kissmetrics identity. Default `km_identity`. */
  readonly identityField?: string;
}

/**
 * The query parameters of a postback, as the forwarder reads them (`identityField` names the
 * identity's own, `km_identity` by default).
 */
export const POSTBACK_PARAMETERS = {
  secret: 'secret',
  event: 'event',
  time: 'time',
  tracker: 'tracker',
} as const;

const SAFE_FIELD = /^[A-Za-z0-9_.-]+$/;

/** Checks `identityField`, which names a `TS{...}` macro and a query parameter at once. */
export function checkIdentityField(value: unknown): string {
  const field = checkIdentityParameter(value, 'identityField');
  if (!SAFE_FIELD.test(field)) {
    throw new KmValidationError(
      'invalid_option',
      'identityField',
      `identityField "${field}" must hold only letters, digits, "_", "." and "-": it goes inside a TS{...} macro and a query string`,
    );
  }
  if (Object.values(POSTBACK_PARAMETERS).includes(field as never)) {
    throw new KmValidationError(
      'invalid_option',
      'identityField',
      `identityField "${field}" is a postback parameter of its own (secret, event, time, tracker): name the custom parameter otherwise`,
    );
  }
  return field;
}

/**
 * The postback URL to paste into Tapstream (Configuration, postbacks) so that Tapstream calls the
 * forwarder for every app event of an attributed user:
 *
 * `<baseUrl>?secret=<secret>&km_identity=TS{hit.custom_parameters.km_identity}&event=TS{event.name}&time=TS{event.timestamp}&tracker=TS{hit.tracker.slug}`
 *
 * Tapstream replaces each `TS{...}` macro with the value, percent-encoded (an empty string when
 * there is none: an unattributed user, which the forwarder answers 202 and ignores).
 *
 * @example
 * ```ts
 * postbackUrlTemplate({ baseUrl: 'https://example.com/tapstream', secret: process.env.TS_POSTBACK_SECRET! });
 * ```
 *
 * @throws {KmValidationError} `invalid_option` for a base URL that is not http(s) or has a
 * fragment, an empty secret, or an identity field that cannot go in a macro.
 */
export function postbackUrlTemplate(options: PostbackUrlTemplateOptions): string {
  const baseUrl = options?.baseUrl;
  let url: URL | undefined;
  try {
    url = new URL(String(baseUrl));
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.hash || String(baseUrl).includes('#')) {
    throw new KmValidationError(
      'invalid_option',
      'baseUrl',
      `baseUrl "${String(baseUrl)}" must be the absolute http(s) URL of your forwarder, without a fragment`,
    );
  }
  if (typeof options.secret !== 'string' || options.secret === '') {
    throw new KmValidationError(
      'invalid_option',
      'secret',
      "secret is required: the forwarder's secret, so only Tapstream can post to it",
    );
  }
  const field = checkIdentityField(options.identityField);
  const query = [
    `${POSTBACK_PARAMETERS.secret}=${percentEncode(options.secret)}`,
    `${field}=TS{hit.custom_parameters.${field}}`,
    `${POSTBACK_PARAMETERS.event}=TS{event.name}`,
    `${POSTBACK_PARAMETERS.time}=TS{event.timestamp}`,
    `${POSTBACK_PARAMETERS.tracker}=TS{hit.tracker.slug}`,
  ].join('&');
  const base = String(baseUrl);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${query}`;
}
