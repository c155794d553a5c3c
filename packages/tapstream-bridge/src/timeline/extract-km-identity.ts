import { KmValidationError } from '@kmkit/core';
import { codePointLength } from '@kmkit/core/internal';
import { isGenericIdentity } from '../identity/index.js';

/** Options of {@link extractKmIdentity}. */
export interface ExtractKmIdentityOptions {
  /** The hit custom parameter holding the Kissmetrics identity. Default `km_identity`. */
  readonly identityParameter?: string;
  /**
   * Which hit to read: `'oldest'` (default) starts at `hits[0]`, the hit Tapstream credits;
   * `'latest'` starts at the newest hit. Hits without the parameter (a campaign link clicked
   * before the visit) are skipped: every hit of one click timeline comes from the same browser.
   */
  readonly hit?: 'oldest' | 'latest';
}

/** The default name of the custom parameter, as in Tapstream's documentation. */
export const DEFAULT_IDENTITY_PARAMETER = 'km_identity';

// Kissmetrics refuses identities over 255 characters; a longer value is not an identity.
const MAX_IDENTITY_LENGTH = 255;

/** Checks an identity parameter name given as an option. */
export function checkIdentityParameter(value: unknown, path: string): string {
  if (value === undefined) return DEFAULT_IDENTITY_PARAMETER;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new KmValidationError(
      'invalid_option',
      path,
      `${path} must be the non-empty name of a Tapstream custom parameter, such as "km_identity"`,
    );
  }
  return value;
}

function own(record: unknown, key: string): unknown {
  if (typeof record !== 'object' || record === null) return undefined;
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

function usable(value: unknown): string | undefined {
  if (typeof value !== 'string' || isGenericIdentity(value)) return undefined;
  return codePointLength(value) <= MAX_IDENTITY_LENGTH ? value : undefined;
}

function fromAnswer(answer: unknown, parameter: string, latest: boolean): string | undefined {
  if (typeof answer === 'string') {
    const text = answer.trim();
    if (text === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    return typeof parsed === 'string' ? undefined : fromAnswer(parsed, parameter, latest);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return undefined;
  const hits = own(answer, 'hits');
  if (Array.isArray(hits)) {
    const count = hits.length;
    for (let index = 0; index < count; index++) {
      const hit = hits[latest ? count - 1 - index : index];
      const identity = usable(own(own(hit, 'custom_parameters'), parameter));
      if (identity !== undefined) return identity;
    }
    return undefined;
  }
  const summary = own(answer, 'hit_params');
  if (summary !== undefined) return usable(own(summary, parameter));
  // A single hit, as some SDK wrappers hand over the credited hit alone.
  return usable(own(own(answer, 'custom_parameters'), parameter));
}

/**
 * Finds the Kissmetrics identity the website handed to Tapstream in a conversion answer, whatever
 * its shape: a {@link Timeline} (`{ hits, events }`), the summary's `hit_params`, a single hit, the
 * JSON text of any of these, or a "not yet" answer (`[]`, an empty body, `null`).
 *
 * Returns `undefined` when there is no identity: nothing attributed yet, an organic install, or a
 * placeholder such as `"undefined"` or `""` (which must never be aliased). Never throws on the
 * answer.
 *
 * @example
 * ```ts
 * const kmIdentity = extractKmIdentity(await lookupTimeline({ secret, eventSession }));
 * ```
 *
 * @throws {KmValidationError} `invalid_option` for a bad option.
 */
export function extractKmIdentity(
  answer: unknown,
  options: ExtractKmIdentityOptions = {},
): string | undefined {
  const parameter = checkIdentityParameter(options.identityParameter, 'identityParameter');
  const hit = options.hit ?? 'oldest';
  if (hit !== 'oldest' && hit !== 'latest') {
    throw new KmValidationError(
      'invalid_option',
      'hit',
      `hit must be "oldest" (the credited hit, default) or "latest", got ${JSON.stringify(hit)}`,
    );
  }
  try {
    return fromAnswer(answer, parameter, hit === 'latest');
  } catch {
    // A getter or proxy in a hand-made answer that throws: there is no identity to read.
    return undefined;
  }
}
