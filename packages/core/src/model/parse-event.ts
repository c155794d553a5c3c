import { DEV, terse } from './development.js';
import {
  type KmErrorCode,
  KmValidationError,
  type KmWarning,
  type KmWarningCode,
} from './errors.js';
import {
  isKmEvent,
  KM_EVENT,
  type KmEvent,
  type KmEventProperties,
  type KmEventType,
} from './event.js';
import { fitsCodePoints, type KmLimits, resolveLimits, wellFormed } from './limits.js';
import { parseTimestamp } from './timestamp.js';

/**
 * Where commands go. `cloud`: HTTP requests from your code, so every command names its person.
 * `device`: the Kissmetrics JS library in the browser (`_kmq`), which owns the identity.
 */
export type KmMode = 'cloud' | 'device';

/** Options of `parseEvent` (and of `mapEvent`, which parses raw input with them). */
export interface ParseOptions {
  /**
   * The clock in milliseconds, read only when a message has no usable timestamp: a number, a
   * `Date`, or a function returning milliseconds. Default `Date.now`.
   */
  readonly now?: number | Date | (() => number);
  /** Default `cloud`. In `device` mode a message without identity is valid (no `person`). */
  readonly mode?: KmMode;
  /** Makes a `messageId` for messages without one. Default `crypto.randomUUID` where available. */
  readonly generateId?: () => string;
  /** Name and value length limits (default 255 / 512 code points). */
  readonly limits?: KmLimits;
}

const TYPES = ['identify', 'track', 'page', 'screen', 'alias', 'group'];
const EMPTY: KmEventProperties = Object.freeze({});

/** Throws a {@link KmValidationError}; `message` is `false` in production builds (see `DEV`). */
export function fail(code: KmErrorCode, path: string, message: string | false): never {
  throw new KmValidationError(code, path, message || '');
}

/** A noun with its indefinite article, for messages: `a track`, `an identify`, `an Error`. */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** A short description of a value for messages: `"abc"`, `42`, `an array`, `a function`. */
export function describe(value: unknown): string {
  const type = typeof value;
  if (type === 'string') {
    const text = value as string;
    return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  }
  if (type === 'function' || type === 'symbol') return withArticle(type);
  if (type !== 'object' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  !(value instanceof Map || value instanceof Set);

/** A random RFC 4122 v4 id; `crypto.randomUUID` is missing on Node 18 and on insecure pages. */
const uuid = (): string =>
  globalThis.crypto?.randomUUID?.() ??
  'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0;
    return (c === 'x' ? r : (r & 3) | 8).toString(16);
  });

let utf8: TextDecoder | undefined;

function toMessage(input: unknown): Record<string, unknown> {
  let value = input;
  if (value instanceof Uint8Array) {
    try {
      utf8 ??= new TextDecoder('utf-8', { fatal: true });
      value = utf8.decode(value);
    } catch {
      fail('invalid_json', '', DEV && 'the bytes are not UTF-8: pass the JSON payload as UTF-8');
    }
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value.charCodeAt(0) === 0xfeff ? value.slice(1) : value);
    } catch (error) {
      fail(
        'invalid_json',
        '',
        DEV &&
          `the input is not JSON (${(error as Error).message}): pass a message object or its JSON text`,
      );
    }
  }
  if (!isRecord(value)) {
    fail(
      'invalid_message',
      '',
      DEV &&
        `expected one message object (or its JSON), got ${describe(value)}${Array.isArray(value) ? ': parse each message of a batch on its own' : ''}`,
    );
  }
  return value;
}

// The field being read, for the error when a getter or proxy throws.
let reading = '';

/** Reads one message: field access, warnings and the checks every field shares. */
class Reader {
  readonly warnings: KmWarning[] = [];

  constructor(
    private readonly message: Record<string, unknown>,
    readonly nameLength: number,
  ) {}

  get(key: string): unknown {
    reading = key;
    return this.message[key];
  }

  warn(code: KmWarningCode, path: string, text: string | false): void {
    this.warnings.push({ code, path, message: text || terse(code, path) });
  }

  /** Text, a finite number or a bigint as text; `undefined` when blank, absent or another type. */
  text(value: unknown, path: string, what: string): string | undefined {
    if (typeof value === 'string') {
      // Whitespace-only text is absent; a first character that is printable ASCII settles it.
      const first = value.charCodeAt(0);
      if (value === '' || ((first <= 32 || first > 126) && value.trim() === '')) return undefined;
      const fixed = wellFormed(value);
      if (fixed === undefined) return value;
      this.warn(
        'malformed_string',
        path,
        DEV && `${path} has a lone UTF-16 surrogate, replaced by U+FFFD: check how it is made`,
      );
      return fixed;
    }
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') {
      return String(value);
    }
    if (value != null)
      this.warn(
        'invalid_field',
        path,
        DEV && `${path} is ${describe(value)}, not ${what}: ignored`,
      );
    return undefined;
  }

  id(key: string): string | undefined {
    return this.text(this.get(key), key, 'an id: pass a string (or a number)');
  }

  object(key: string): KmEventProperties | undefined {
    const value = this.get(key);
    if (isRecord(value)) return value;
    if (value != null) {
      this.warn(
        'invalid_field',
        key,
        DEV && `${key} is ${describe(value)}, not an object of name/value pairs: ignored`,
      );
    }
    return undefined;
  }

  fits(name: string, path: string, what: string): string {
    if (!fitsCodePoints(name, this.nameLength)) {
      fail(
        'name_too_long',
        path,
        DEV &&
          `${what} is over ${this.nameLength} characters, Kissmetrics' limit: shorten it (kmkit refuses rather than truncates, which could merge two different names)`,
      );
    }
    return name;
  }

  /** The identity that is not the person only feeds aliases: an over-long one is left out. */
  optionalId(value: string | undefined, path: string): string | undefined {
    if (value === undefined || fitsCodePoints(value, this.nameLength)) return value;
    this.warn(
      'invalid_field',
      path,
      DEV &&
        `${path} is over ${this.nameLength} characters, Kissmetrics' limit for an identity: ignored`,
    );
    return undefined;
  }
}

/**
 * Validates a Segment / RudderStack spec message and fixes what must not change afterwards: the
 * identity (`person`, the `_p`), the time in whole Unix seconds (`_t`) and the `messageId`.
 *
 * `input` is a message object, its JSON text, or that JSON as UTF-8 bytes. `type` is read
 * case-insensitively. A field of the wrong type that the event can do without (`properties` that is
 * a string, `context` a number) is ignored with a warning in `event.warnings`. The input is never
 * changed, and properties are not copied: clean them with `mapEvent`. An event that was already
 * parsed is returned as is.
 *
 * @example
 * ```ts
 * const event = parseEvent({ type: 'track', userId: 'u1', event: 'Signed Up', timestamp: '2024-05-01T10:00:00Z' });
 * event.time; // 1714557600
 * ```
 *
 * @throws {KmValidationError} with a stable `code` and the `path` of the bad field:
 * `invalid_json`, `invalid_message` (also when reading a field throws), `unknown_type`,
 * `missing_identity` (cloud mode), `missing_event_name`, `invalid_event_name` (an `event` that is
 * not a string), `missing_user_id`, `missing_previous_id`, `missing_group_id`, `name_too_long`,
 * `invalid_option`.
 */
export function parseEvent(input: unknown, options: ParseOptions = {}): KmEvent {
  reading = '';
  try {
    return parse(input, options);
  } catch (error) {
    // Getters and proxies are user code: whatever they throw becomes an error naming the field.
    if (error instanceof KmValidationError) throw error;
    return fail(
      'invalid_message',
      reading,
      DEV &&
        `reading ${reading || 'the message'} threw (${error instanceof Error ? error.message : typeof error}): pass a plain object or its JSON`,
    );
  }
}

function missingIdentity(type: string): never {
  return fail(
    'missing_identity',
    'userId',
    DEV &&
      `${withArticle(type)} needs an identity for Kissmetrics' _p: pass userId (your user's id) or anonymousId (the device's id)`,
  );
}

function parse(input: unknown, options: ParseOptions): KmEvent {
  const mode = options.mode ?? 'cloud';
  if (mode !== 'cloud' && mode !== 'device') {
    fail('invalid_option', 'mode', DEV && `mode ${describe(mode)} is not "cloud" or "device"`);
  }
  if (isKmEvent(input)) {
    if (mode === 'cloud' && input.person === undefined) missingIdentity(input.type);
    return input;
  }
  const message = toMessage(input);
  const r = new Reader(message, resolveLimits(options.limits).nameLength);

  const rawType = r.get('type');
  const type = (typeof rawType === 'string' ? rawType.toLowerCase() : '') as KmEventType;
  if (!TYPES.includes(type)) {
    const envelope = rawType === undefined && isRecord(r.get('message'));
    fail(
      'unknown_type',
      'type',
      DEV &&
        `type is ${describe(rawType)}${envelope ? ' (this looks like a pipeline envelope: pass its message)' : ''}: set type to identify, track, page, screen, alias or group`,
    );
  }

  const userId = r.id('userId');
  let anonymousId = r.id('anonymousId');
  const context = r.object('context') ?? EMPTY;
  let person: string | undefined;
  let previousId: string | undefined;
  let event: string | undefined;
  let properties: KmEventProperties = EMPTY;
  let name: string | undefined;
  let category: string | undefined;
  let traits: KmEventProperties | undefined;
  let groupId: string | undefined;

  if (type === 'alias') {
    if (userId === undefined) {
      fail(
        'missing_user_id',
        'userId',
        DEV &&
          'an alias needs userId, the new identity: pass userId (and previousId, the earlier one)',
      );
    }
    r.fits(userId, 'userId', 'userId');
    previousId = r.id('previousId');
    if (previousId === undefined) {
      previousId = anonymousId;
      if (previousId === undefined) {
        fail(
          'missing_previous_id',
          'previousId',
          DEV &&
            'an alias needs the earlier identity: pass previousId (or the anonymousId it replaces)',
        );
      }
      r.fits(previousId, 'anonymousId', 'anonymousId');
    } else {
      r.fits(previousId, 'previousId', 'previousId');
      anonymousId = r.optionalId(anonymousId, 'anonymousId');
    }
    person = previousId;
  } else {
    if (userId !== undefined) {
      person = r.fits(userId, 'userId', 'userId');
      anonymousId = r.optionalId(anonymousId, 'anonymousId');
    } else if (anonymousId !== undefined) {
      person = r.fits(anonymousId, 'anonymousId', 'anonymousId');
    } else if (mode === 'cloud') {
      missingIdentity(type);
    }
    if (type === 'track') {
      const raw = r.get('event');
      // A name is text: a number here is a bug upstream (an id passed as the name), and a name
      // recorded by mistake cannot be taken out of Kissmetrics.
      if (raw != null && typeof raw !== 'string') {
        fail(
          'invalid_event_name',
          'event',
          DEV &&
            `event is ${describe(raw)}, not text: pass the event's name as a string, e.g. "Signed Up"`,
        );
      }
      event = r.text(raw, 'event', 'an event name');
      if (event === undefined) {
        fail(
          'missing_event_name',
          'event',
          DEV && `a track needs an event name, got ${describe(raw)}: pass event, e.g. "Signed Up"`,
        );
      }
      r.fits(event, 'event', 'the event name');
      properties = r.object('properties') ?? EMPTY;
    } else if (type === 'page' || type === 'screen') {
      properties = r.object('properties') ?? EMPTY;
      name = r.text(r.get('name'), 'name', 'text');
      category = r.text(r.get('category'), 'category', 'text');
      if (category === undefined) {
        reading = 'properties.category';
        const nested = properties.category;
        if (typeof nested === 'string' || typeof nested === 'number') {
          category = r.text(nested, 'properties.category', 'text');
        }
      }
    } else if (type === 'identify') {
      traits = r.object('traits');
      // RudderStack's JS SDK sends identify traits in context.traits.
      if (traits === undefined || Object.keys(traits).length === 0) {
        reading = 'context.traits';
        const nested = context.traits;
        if (isRecord(nested)) traits = nested;
      }
    } else {
      groupId = r.text(r.get('groupId'), 'groupId', 'an id: pass a string (or a number)');
      if (groupId === undefined) {
        fail(
          'missing_group_id',
          'groupId',
          DEV && 'a group call needs groupId, the id of the account or company: pass groupId',
        );
      }
      traits = r.object('traits');
    }
  }

  const time = readTime(r, options);
  let messageId = r.get('messageId');
  if (typeof messageId === 'number' && Number.isFinite(messageId)) messageId = String(messageId);
  if (typeof messageId !== 'string' || messageId === '') {
    if (messageId != null && messageId !== '') {
      r.warn(
        'invalid_field',
        'messageId',
        DEV && `messageId is ${describe(messageId)}, not a string: a new id was generated`,
      );
    }
    messageId = (options.generateId ?? uuid)();
    if (typeof messageId !== 'string' || messageId === '') {
      fail('invalid_option', 'generateId', DEV && 'generateId must return a non-empty string');
    }
  }

  // The fields every kind has, then the kind's own: each kind keeps one shape.
  const parsed: Record<string | symbol, unknown> = {
    [KM_EVENT]: true,
    type,
    userId,
    anonymousId,
    person,
    time,
    messageId,
    context,
    warnings: r.warnings,
  };
  if (type === 'track') {
    parsed.event = event;
    parsed.properties = properties;
  } else if (type === 'page' || type === 'screen') {
    parsed.name = name;
    parsed.category = category;
    parsed.properties = properties;
  } else if (type === 'alias') {
    parsed.previousId = previousId;
  } else {
    if (type === 'group') parsed.groupId = groupId;
    parsed.traits = traits ?? EMPTY;
  }
  return parsed as unknown as KmEvent;
}

const TIME_FIELDS = ['timestamp', 'originalTimestamp'];

/** `_t`: timestamp, else originalTimestamp, else the clock; unreadable ones are reported. */
function readTime(r: Reader, options: ParseOptions): number {
  let ms: number | undefined;
  let source = 'the clock at parse time';
  let unreadable: [string, unknown][] | undefined;
  for (const key of TIME_FIELDS) {
    const value = r.get(key);
    if (value == null || value === '') continue;
    ms = parseTimestamp(value);
    if (ms !== undefined) {
      source = key;
      break;
    }
    unreadable ??= [];
    unreadable.push([key, value]);
  }
  if (ms === undefined) {
    const now = options.now;
    ms =
      typeof now === 'function' ? now() : now instanceof Date ? now.getTime() : (now ?? Date.now());
    if (typeof ms !== 'number' || !(ms >= 0) || ms === Number.POSITIVE_INFINITY) {
      fail(
        'invalid_option',
        'now',
        DEV && `the clock gave ${describe(ms)}: now must be (or return) epoch milliseconds`,
      );
    }
  }
  for (const [path, bad] of unreadable ?? []) {
    r.warn(
      'invalid_timestamp',
      path,
      DEV &&
        `${path} (${describe(bad)}) is not a time: used ${source}; pass an ISO 8601 string, a Date or epoch seconds/milliseconds`,
    );
  }
  return Math.floor(ms / 1000);
}
