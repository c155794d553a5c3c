import type { KmErrorCode, KmEventProperties, KmEventType, KmMode } from '@kmkit/core';
import { KmValidationError } from '@kmkit/core';
import { DEV } from '@kmkit/core/internal';
import { type Cleaning, finite, overNameLimit, warn, wellFormed } from './clean-properties.js';
import { readTimestamp } from './timestamp.js';

/** A spec message as the browser reads it: who, when, and the fields of its kind. */
export interface BrowserEvent {
  readonly type: KmEventType;
  readonly userId?: string;
  readonly anonymousId?: string;
  /** `_p`: userId, else anonymousId (an alias: previousId). Absent only in device mode. */
  readonly person?: string;
  /** Whole Unix seconds. */
  readonly time: number;
  readonly messageId?: string;
  readonly event?: string;
  readonly name?: string;
  readonly category?: string;
  readonly properties: KmEventProperties;
  readonly traits: KmEventProperties;
  /** Where the traits came from: `traits`, or `context.traits` (RudderStack's JS SDK). */
  readonly traitsPath: string;
  readonly groupId?: string;
  readonly previousId?: string;
}

// One sentence per error, in development builds only (production messages are `code (path)`).
const SENTENCES: Partial<Record<KmErrorCode, string>> = DEV
  ? {
      invalid_message: 'pass one message object (a plain object, without throwing getters)',
      unknown_type: 'set type to identify, track, page, screen, alias or group',
      missing_identity: "Kissmetrics' _p needs an identity: pass userId or anonymousId",
      missing_event_name: 'a track needs an event name, e.g. "Signed Up"',
      invalid_event_name: 'an event name is text: pass a string, e.g. "Signed Up"',
      missing_user_id: 'an alias needs userId, the new identity',
      missing_previous_id: 'an alias needs previousId (or the anonymousId it replaces)',
      missing_group_id: 'a group call needs groupId, the id of the account or company',
      name_too_long:
        "over Kissmetrics' 255-character limit (or yours): shorten it (kmkit refuses rather than truncates, which could merge two names)",
    }
  : {};

/** Throws the `KmValidationError` of `code` at `path`. */
export function refuse(code: KmErrorCode, path: string): never {
  throw new KmValidationError(code, path, (DEV && `${path}: ${SENTENCES[code]}`) || '');
}

const TYPES = ['identify', 'track', 'page', 'screen', 'alias', 'group'];
const EMPTY: KmEventProperties = {};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Map || value instanceof Set);

/**
 * Reads a spec message object as `@kmkit/core`'s `parseEvent` does (identity, time, the fields of
 * its kind, the same errors and warnings), for the calls of a browser client: no JSON text or bytes.
 * `now` is the clock in ms, read when the message has no usable timestamp.
 *
 * @throws {KmValidationError} as `parseEvent` does.
 */
export function readMessage(
  message: unknown,
  mode: KmMode,
  cleaning: Cleaning,
  now: () => number,
): BrowserEvent {
  // The field being read, for the error when a getter or proxy throws.
  let reading = '';
  try {
    if (!isRecord(message)) return refuse('invalid_message', '');
    const get = (key: string) => {
      reading = key;
      return message[key];
    };
    // Text, a finite number or a bigint as text; undefined when blank, absent or another type.
    const text = (value: unknown, path: string): string | undefined => {
      if (typeof value === 'string')
        return value.trim() ? wellFormed(cleaning, value, path) : undefined;
      if ((typeof value === 'number' && finite(value)) || typeof value === 'bigint') {
        return String(value);
      }
      if (value != null) warn(cleaning, 'invalid_field', path);
    };
    const id = (key: string) => text(get(key), key);
    const object = (key: string) => {
      const value = get(key);
      if (isRecord(value)) return value;
      if (value != null) warn(cleaning, 'invalid_field', key);
    };
    const fits = (name: string, path: string) =>
      overNameLimit(cleaning, name) ? refuse('name_too_long', path) : name;
    // The identity that is not the person only feeds aliases: an over-long one is left out.
    const optional = (value: string | undefined, path: string) => {
      if (value === undefined || !overNameLimit(cleaning, value)) return value;
      warn(cleaning, 'invalid_field', path);
    };

    const rawType = get('type');
    const type = (typeof rawType === 'string' ? rawType.toLowerCase() : '') as KmEventType;
    if (!TYPES.includes(type)) refuse('unknown_type', 'type');
    const userId = id('userId');
    let anonymousId = id('anonymousId');
    const context = object('context') ?? EMPTY;
    const event: {
      -readonly [K in keyof BrowserEvent]?: BrowserEvent[K];
    } = { type, properties: EMPTY, traits: EMPTY, traitsPath: 'traits' };

    if (type === 'alias') {
      if (userId === undefined) refuse('missing_user_id', 'userId');
      fits(userId, 'userId');
      let previousId = id('previousId');
      if (previousId === undefined) {
        previousId = anonymousId ?? refuse('missing_previous_id', 'previousId');
        fits(previousId, 'anonymousId');
      } else {
        fits(previousId, 'previousId');
        anonymousId = optional(anonymousId, 'anonymousId');
      }
      event.person = event.previousId = previousId;
    } else {
      if (userId !== undefined) {
        event.person = fits(userId, 'userId');
        anonymousId = optional(anonymousId, 'anonymousId');
      } else if (anonymousId !== undefined) {
        event.person = fits(anonymousId, 'anonymousId');
      } else if (mode === 'cloud') {
        refuse('missing_identity', 'userId');
      }
      if (type === 'track') {
        const name = get('event');
        // A name is text, as in core's parseEvent: a number is refused, never stringified.
        if (name != null && typeof name !== 'string') refuse('invalid_event_name', 'event');
        event.event = fits(text(name, 'event') ?? refuse('missing_event_name', 'event'), 'event');
        event.properties = object('properties') ?? EMPTY;
      } else if (type === 'page' || type === 'screen') {
        const properties = object('properties') ?? EMPTY;
        event.properties = properties;
        event.name = id('name');
        event.category = id('category');
        if (event.category === undefined) {
          reading = 'properties.category';
          const nested = properties.category;
          if (typeof nested === 'string' || typeof nested === 'number') {
            event.category = text(nested, 'properties.category');
          }
        }
      } else {
        if (type === 'group') {
          event.groupId = id('groupId') ?? refuse('missing_group_id', 'groupId');
        }
        let traits = object('traits');
        if (type === 'identify' && (traits === undefined || Object.keys(traits).length === 0)) {
          // RudderStack's JS SDK sends identify traits in context.traits.
          reading = 'context.traits';
          const nested = context.traits;
          if (isRecord(nested)) {
            traits = nested;
            event.traitsPath = 'context.traits';
          }
        }
        event.traits = traits ?? EMPTY;
      }
    }
    event.userId = userId;
    event.anonymousId = anonymousId;

    // _t: timestamp, else originalTimestamp, else the clock; unreadable ones are reported.
    let ms: number | undefined;
    const unreadable: string[] = [];
    for (const key of ['timestamp', 'originalTimestamp']) {
      const value = get(key);
      if (value == null || value === '') continue;
      ms = readTimestamp(value);
      if (ms !== undefined) break;
      unreadable.push(key);
    }
    event.time = Math.floor((ms ?? now()) / 1000);
    for (const key of unreadable) warn(cleaning, 'invalid_timestamp', key);
    let messageId = get('messageId');
    if (typeof messageId === 'number' && finite(messageId)) messageId = String(messageId);
    if (typeof messageId === 'string' && messageId !== '') event.messageId = messageId;
    else if (messageId != null && messageId !== '') warn(cleaning, 'invalid_field', 'messageId');
    return event as BrowserEvent;
  } catch (error) {
    // Getters and proxies are user code: whatever they throw becomes an error naming the field.
    if (KmValidationError.isInstance(error)) throw error;
    return refuse('invalid_message', reading);
  }
}
