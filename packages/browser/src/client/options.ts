import { type KmMode, KmValidationError, type MapOptions, mapEvent } from '@kmkit/core';
import type { CommonOptions } from './types.js';

/**
 * Checks the options both modes share and returns the mapping options for `mode`, so that a bad
 * option fails `createKissmetrics` at once instead of every later call.
 *
 * @throws {KmValidationError} `invalid_option` naming the option.
 */
export function mappingOptions(
  options: CommonOptions,
  mode: KmMode,
  now: () => number,
): MapOptions {
  const { apiKey } = options;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new KmValidationError(
      'invalid_option',
      'apiKey',
      'apiKey is required: pass your Kissmetrics API key (Product Settings in Kissmetrics)',
    );
  }
  // mapEvent reads the options it knows and ignores the client's own.
  const map: MapOptions = { ...options, mode, now };
  mapEvent({ type: 'track', event: 'Options Checked', anonymousId: 'check' }, map);
  return map;
}

/** A positive number option, or its default. */
export function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0)) {
    throw new KmValidationError(
      'invalid_option',
      name,
      `${name} must be a positive number, got ${String(value)}`,
    );
  }
  return value;
}
