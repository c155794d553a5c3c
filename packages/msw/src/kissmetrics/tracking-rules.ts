import { characterCount } from '../http/index.js';

/** The Kissmetrics tracking API paths. */
export type TrackingPath = '/e' | '/s' | '/a';

/**
 * Why the emulator refused a tracking request. Kissmetrics itself answers 200 to everything and
 * applies what it can; the emulator is stricter on purpose, because an SDK must never send these.
 *
 * - `missing_api_key`: no `_k`.
 * - `unknown_api_key`: `_k` is not one of the emulator's `apiKeys`.
 * - `missing_person`: no `_p`.
 * - `missing_name`: `/e` without an event name, or `/a` without the second identity (`_n`).
 * - `time_without_d`: `_t` without `_d=1`. Kissmetrics would ignore that `_t` and use its receive
 *   time; the emulator refuses the request so that the missing `_d=1` shows.
 * - `invalid_time`: `_t` is not whole Unix seconds (e.g. milliseconds, or a decimal).
 * - `name_too_long`: the identity, the event name or a property name is over the name limit (255).
 * - `empty_property_name`: a parameter with an empty name.
 * - `value_too_long`: a property value is over the value limit (512).
 */
export type TrackingRejection =
  | 'missing_api_key'
  | 'unknown_api_key'
  | 'missing_person'
  | 'missing_name'
  | 'time_without_d'
  | 'invalid_time'
  | 'name_too_long'
  | 'empty_property_name'
  | 'value_too_long';

/** A tracking request that passed every check, ready to apply to the people. */
export type TrackingCall =
  | {
      readonly type: 'record';
      readonly person: string;
      readonly event: string;
      readonly time: number;
      readonly properties: ReadonlyArray<readonly [string, string]>;
    }
  | {
      readonly type: 'set';
      readonly person: string;
      readonly time: number;
      readonly properties: ReadonlyArray<readonly [string, string]>;
    }
  | { readonly type: 'alias'; readonly person: string; readonly alias: string };

/** The outcome of {@link readTrackingCall}. */
export type TrackingCheck =
  | { readonly ok: true; readonly call: TrackingCall }
  | { readonly ok: false; readonly reason: TrackingRejection; readonly message: string };

/** Limits the emulator holds requests to. */
export interface TrackingLimits {
  /** Characters in an identity, event name or property name. Kissmetrics: 255. */
  readonly name: number;
  /** Characters in a property value. Kissmetrics' current docs: 512. */
  readonly value: number;
}

/** What {@link readTrackingCall} needs besides the request. */
export interface TrackingContext {
  /** The accepted API keys, or undefined to accept any non-empty `_k`. */
  readonly apiKeys: ReadonlySet<string> | undefined;
  readonly limits: TrackingLimits;
  /** The server's receive time in Unix seconds, used when `_t` is absent. */
  readonly receivedAt: number;
}

// Past this, a `_t` is surely milliseconds (Unix seconds reach 10^11 in the year 5138).
const MAX_SECONDS = 99_999_999_999;

function reject(reason: TrackingRejection, message: string): TrackingCheck {
  return { ok: false, reason, message };
}

function over(text: string, limit: number): boolean {
  return text.length > limit && characterCount(text) > limit;
}

/**
 * Reads a tracking request's parameters with Kissmetrics' rules: checks what it needs, takes `_t`
 * only with `_d=1`, and treats every key starting with `_` as a control parameter, never a property.
 * `/a` reads only `_p` and `_n`.
 */
export function readTrackingCall(
  path: TrackingPath,
  params: Readonly<Record<string, string>>,
  context: TrackingContext,
): TrackingCheck {
  const { limits } = context;
  const apiKey = params._k;
  if (!apiKey) return reject('missing_api_key', 'no _k: every request needs the product API key');
  if (context.apiKeys && !context.apiKeys.has(apiKey)) {
    return reject('unknown_api_key', `_k "${apiKey}" is not an API key of this emulator`);
  }
  const person = params._p;
  if (!person) return reject('missing_person', 'no _p: Kissmetrics cannot tell whose row this is');
  if (over(person, limits.name)) {
    return reject('name_too_long', `_p is over ${limits.name} characters`);
  }
  const name = params._n;
  if (path !== '/s' && !name) {
    return reject(
      'missing_name',
      path === '/e' ? 'no _n: /e needs the event name' : 'no _n: /a needs the second identity',
    );
  }
  if (name && path !== '/s' && over(name, limits.name)) {
    return reject('name_too_long', `_n is over ${limits.name} characters`);
  }
  if (path === '/a') return { ok: true, call: { type: 'alias', person, alias: name! } };

  let time = context.receivedAt;
  if (params._t !== undefined) {
    if (params._d !== '1') {
      return reject(
        'time_without_d',
        `_t=${params._t} without _d=1: Kissmetrics would ignore _t and use its receive time`,
      );
    }
    const seconds = /^\d+$/.test(params._t) ? Number(params._t) : Number.NaN;
    if (!(seconds <= MAX_SECONDS)) {
      return reject('invalid_time', `_t=${params._t} is not whole Unix seconds`);
    }
    time = seconds;
  }

  const properties: [string, string][] = [];
  for (const key of Object.keys(params)) {
    if (key.startsWith('_')) continue;
    if (key === '') return reject('empty_property_name', 'a parameter has an empty name');
    if (over(key, limits.name)) {
      return reject(
        'name_too_long',
        `property name "${key.slice(0, 40)}..." is over ${limits.name} characters`,
      );
    }
    const value = params[key]!;
    if (over(value, limits.value)) {
      return reject('value_too_long', `the value of "${key}" is over ${limits.value} characters`);
    }
    properties.push([key, value]);
  }
  return {
    ok: true,
    call:
      path === '/e'
        ? { type: 'record', person, event: name!, time, properties }
        : { type: 'set', person, time, properties },
  };
}
