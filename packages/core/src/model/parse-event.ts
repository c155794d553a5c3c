import { type KmErrorCode, KmValidationError, type KmWarning } from './errors.js';
import {
  isKmEvent,
  KM_EVENT,
  type KmAliasEvent,
  type KmEvent,
  type KmEventProperties,
  type KmEventType,
  type KmGroupEvent,
  type KmIdentifyEvent,
  type KmPageEvent,
  type KmScreenEvent,
  type KmTrackEvent,
} from './event.js';
import {
  fitsCodePoints,
  isWellFormedText,
  type KmLimits,
  resolveLimits,
  toWellFormedText,
} from './parse-limits.js';
import { parseTimestamp } from './parse-timestamp.js';

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

const EVENT_TYPES: ReadonlySet<string> = new Set<KmEventType>([
  'identify',
  'track',
  'page',
  'screen',
  'alias',
  'group',
]);

const EMPTY: KmEventProperties = Object.freeze({});
const NO_WARNINGS: readonly KmWarning[] = Object.freeze([]);

function isArrayValue(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** A short, safe description of a value for messages: `"abc"`, `42`, `an array`, `an object`. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `"${value.slice(0, 40)}..."` : `"${value}"`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return value === null ? 'null' : isArrayValue(value) ? 'an array' : 'an object';
  }
}

// Whitespace-only text counts as absent. Text starting with printable ASCII (33-127) cannot be
// blank, which settles most ids without trimming.
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  return (first <= 32 || first > 127) && text.trim() === '';
}

function fail(code: KmErrorCode, path: string, message: string): never {
  throw new KmValidationError(code, path, message);
}

// Getters and proxies are user code: a read that throws is reported as a bad message.
function read(message: object, key: string): unknown {
  try {
    return (message as Record<string, unknown>)[key];
  } catch (error) {
    return fail(
      'invalid_message',
      key,
      `reading ${key} threw (${error instanceof Error ? error.message : typeof error}): pass a plain object or its JSON`,
    );
  }
}

// Array.isArray and instanceof throw on a revoked proxy; such a value is no message object.
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !isArrayValue(value);
}

function isInstance(value: object, type: abstract new (...args: never[]) => unknown): boolean {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

let utf8: TextDecoder | undefined;

function toMessage(input: unknown): object {
  let value = input;
  if (typeof value === 'object' && value !== null && isInstance(value, Uint8Array)) {
    try {
      utf8 ??= new TextDecoder('utf-8', { fatal: true });
      value = utf8.decode(value as Uint8Array);
    } catch {
      return fail('invalid_json', '', 'the bytes are not UTF-8: pass the JSON payload as UTF-8');
    }
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value.charCodeAt(0) === 0xfeff ? value.slice(1) : value);
    } catch (error) {
      return fail(
        'invalid_json',
        '',
        `the input is not JSON (${(error as Error).message}): pass a message object or its JSON text`,
      );
    }
  }
  if (!isRecord(value)) {
    return fail(
      'invalid_message',
      '',
      `expected one message object (or its JSON), got ${describeValue(value)}${
        isArrayValue(value) ? ': parse each message of a batch on its own' : ''
      }`,
    );
  }
  return value;
}

function fallbackId(): string {
  const bytes = new Uint8Array(16);
  const crypto = globalThis.crypto;
  if (crypto !== undefined && typeof crypto.getRandomValues === 'function') {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += bytes[i]!.toString(16).padStart(2, '0');
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
  }
  return hex;
}

function defaultId(): string {
  // randomUUID is missing on Node 18 without flags and on insecure (http) pages.
  const crypto = globalThis.crypto;
  return crypto !== undefined && typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : fallbackId();
}

function readClock(now: ParseOptions['now']): number {
  const ms =
    now === undefined
      ? Date.now()
      : typeof now === 'function'
        ? now()
        : now instanceof Date
          ? now.getTime()
          : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    return fail(
      'invalid_option',
      'now',
      `the clock gave ${describeValue(ms)}: now must be (or return) epoch milliseconds`,
    );
  }
  return ms;
}

/** Collects what parsing changed, without allocating when nothing did. */
class ParseWarnings {
  list: KmWarning[] | undefined;

  add(code: KmWarning['code'], path: string, message: string): void {
    if (this.list === undefined) this.list = [];
    this.list.push({ code, path, message });
  }
}

/** A usable identity: a non-blank string, or a finite number / bigint as a string. */
function readIdentity(value: unknown, path: string, warnings: ParseWarnings): string | undefined {
  if (typeof value === 'string') {
    if (isBlank(value)) return undefined;
    if (isWellFormedText(value)) return value;
    warnings.add(
      'malformed_string',
      path,
      `${path} has a lone UTF-16 surrogate, replaced by U+FFFD: check how the id is made`,
    );
    return toWellFormedText(value);
  }
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
  } else if (typeof value === 'bigint') {
    return String(value);
  } else if (value === undefined || value === null) {
    return undefined;
  }
  warnings.add(
    'invalid_field',
    path,
    `${path} is ${describeValue(value)}, not an id: ignored; pass a string (or a number)`,
  );
  return undefined;
}

function checkNameLength(name: string, path: string, limit: number, what: string): string {
  if (!fitsCodePoints(name, limit)) {
    fail(
      'name_too_long',
      path,
      `${what} is over ${limit} characters, Kissmetrics' limit: shorten it (kmkit refuses rather than truncates, which could merge two different names)`,
    );
  }
  return name;
}

/** A name such as `event`, `name`, `category`: a non-blank string or a finite number. */
function readName(value: unknown, path: string, warnings: ParseWarnings): string | undefined {
  if (typeof value === 'string') {
    if (isBlank(value)) return undefined;
    if (isWellFormedText(value)) return value;
    warnings.add(
      'malformed_string',
      path,
      `${path} has a lone UTF-16 surrogate, replaced by U+FFFD: check how the name is built`,
    );
    return toWellFormedText(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function readObject(
  message: object,
  key: string,
  warnings: ParseWarnings,
): KmEventProperties | undefined {
  const value = read(message, key);
  if (value === undefined || value === null) return undefined;
  if (isRecord(value) && !isInstance(value, Map) && !isInstance(value, Set)) return value;
  warnings.add(
    'invalid_field',
    key,
    `${key} is ${describeValue(value)}, not an object of name/value pairs: ignored`,
  );
  return undefined;
}

function hasKeys(value: KmEventProperties): boolean {
  try {
    for (const _ in value) return true;
    return false;
  } catch {
    // Unreadable: keep it, and let mapEvent report what it cannot read.
    return true;
  }
}

// A field of a nested object (`context.traits`, `properties.category`): a getter that throws
// leaves it out with a warning, the message itself is still valid.
function readNested(
  parent: KmEventProperties,
  key: string,
  path: string,
  warnings: ParseWarnings,
): unknown {
  try {
    return parent[key];
  } catch {
    warnings.add('invalid_field', path, `reading ${path} threw: ignored`);
    return undefined;
  }
}

const TIME_FIELDS = ['timestamp', 'originalTimestamp'] as const;

function readTime(
  message: object,
  options: ParseOptions | undefined,
  warnings: ParseWarnings,
): number {
  let ms: number | undefined;
  let source = 'the clock at parse time';
  let invalid: [string, unknown][] | undefined;
  for (const field of TIME_FIELDS) {
    const value = read(message, field);
    if (value === undefined || value === null || value === '') continue;
    ms = parseTimestamp(value);
    if (ms !== undefined) {
      source = field;
      break;
    }
    if (invalid === undefined) invalid = [];
    invalid.push([field, value]);
  }
  if (invalid !== undefined) {
    for (const [field, value] of invalid) {
      warnings.add(
        'invalid_timestamp',
        field,
        `${field} (${describeValue(value)}) is not a time: used ${source}; pass an ISO 8601 string, a Date or epoch seconds/milliseconds`,
      );
    }
  }
  return Math.floor((ms ?? readClock(options?.now)) / 1000);
}

function readMessageId(
  message: object,
  options: ParseOptions | undefined,
  warnings: ParseWarnings,
) {
  const value = read(message, 'messageId');
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value !== undefined && value !== null && value !== '') {
    warnings.add(
      'invalid_field',
      'messageId',
      `messageId is ${describeValue(value)}, not a string: a new id was generated`,
    );
  }
  const id = (options?.generateId ?? defaultId)();
  if (typeof id !== 'string' || id === '') {
    fail('invalid_option', 'generateId', 'generateId must return a non-empty string');
  }
  return id;
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
 * `invalid_json`, `invalid_message`, `unknown_type`, `missing_identity` (cloud mode),
 * `missing_event_name`, `missing_user_id`, `missing_previous_id`, `missing_group_id`,
 * `name_too_long`, `invalid_option`.
 */
export function parseEvent(input: unknown, options?: ParseOptions): KmEvent {
  const mode = options?.mode ?? 'cloud';
  if (mode !== 'cloud' && mode !== 'device') {
    fail('invalid_option', 'mode', `mode ${describeValue(mode)} is not "cloud" or "device"`);
  }
  if (isKmEvent(input)) {
    if (mode === 'cloud' && input.person === undefined) missingIdentity(input.type);
    return input;
  }
  const { nameLength } = resolveLimits(options?.limits);
  const message = toMessage(input);
  const type = readType(message);
  const warnings = new ParseWarnings();

  const userId = readIdentity(read(message, 'userId'), 'userId', warnings);
  let anonymousId = readIdentity(read(message, 'anonymousId'), 'anonymousId', warnings);

  if (type === 'alias') {
    if (userId === undefined) {
      fail(
        'missing_user_id',
        'userId',
        'an alias needs userId, the new identity: pass userId (and previousId, the earlier one)',
      );
    }
    checkNameLength(userId, 'userId', nameLength, 'userId');
    let previousPath = 'previousId';
    let previousId = readIdentity(read(message, 'previousId'), 'previousId', warnings);
    if (previousId === undefined) {
      previousId = anonymousId;
      previousPath = 'anonymousId';
    }
    if (previousId === undefined) {
      fail(
        'missing_previous_id',
        'previousId',
        'an alias needs the earlier identity: pass previousId (or the anonymousId it replaces)',
      );
    }
    checkNameLength(previousId, previousPath, nameLength, previousPath);
    if (previousPath === 'previousId') {
      anonymousId = dropLongIdentity(anonymousId, 'anonymousId', nameLength, warnings);
    }
    const event: KmAliasEvent = {
      [KM_EVENT]: true,
      type,
      userId,
      anonymousId,
      previousId,
      person: previousId,
      time: readTime(message, options, warnings),
      messageId: readMessageId(message, options, warnings),
      context: readObject(message, 'context', warnings) ?? EMPTY,
      warnings: warnings.list ?? NO_WARNINGS,
    };
    return event;
  }

  // The person is userId, else anonymousId; the other identity may not block the event.
  let person: string | undefined;
  if (userId !== undefined) {
    person = checkNameLength(userId, 'userId', nameLength, 'userId');
    anonymousId = dropLongIdentity(anonymousId, 'anonymousId', nameLength, warnings);
  } else if (anonymousId !== undefined) {
    person = checkNameLength(anonymousId, 'anonymousId', nameLength, 'anonymousId');
  } else if (mode === 'cloud') {
    missingIdentity(type);
  }

  switch (type) {
    case 'track': {
      const raw = read(message, 'event');
      const name = readName(raw, 'event', warnings);
      if (name === undefined) {
        fail(
          'missing_event_name',
          'event',
          `a track needs an event name, got ${describeValue(raw)}: pass event, e.g. "Signed Up"`,
        );
      }
      checkNameLength(name, 'event', nameLength, 'the event name');
      const event: KmTrackEvent = {
        [KM_EVENT]: true,
        type,
        userId,
        anonymousId,
        person,
        time: readTime(message, options, warnings),
        messageId: readMessageId(message, options, warnings),
        context: readObject(message, 'context', warnings) ?? EMPTY,
        warnings: NO_WARNINGS,
        event: name,
        properties: readObject(message, 'properties', warnings) ?? EMPTY,
      };
      return withWarnings(event, warnings);
    }
    case 'page':
    case 'screen': {
      const properties = readObject(message, 'properties', warnings) ?? EMPTY;
      const rawName = read(message, 'name');
      const name = readName(rawName, 'name', warnings);
      if (name === undefined) ignoreWrongType(rawName, 'name', warnings);
      const rawCategory = read(message, 'category');
      let category = readName(rawCategory, 'category', warnings);
      if (category === undefined) {
        ignoreWrongType(rawCategory, 'category', warnings);
        category = readName(
          readNested(properties, 'category', 'properties.category', warnings),
          'properties.category',
          warnings,
        );
      }
      const event: KmPageEvent | KmScreenEvent = {
        [KM_EVENT]: true,
        type,
        userId,
        anonymousId,
        person,
        time: readTime(message, options, warnings),
        messageId: readMessageId(message, options, warnings),
        context: readObject(message, 'context', warnings) ?? EMPTY,
        warnings: NO_WARNINGS,
        name,
        category,
        properties,
      };
      return withWarnings(event, warnings);
    }
    case 'identify': {
      const context = readObject(message, 'context', warnings) ?? EMPTY;
      let traits = readObject(message, 'traits', warnings);
      // RudderStack's JS SDK sends identify traits in context.traits.
      if (traits === undefined || !hasKeys(traits)) {
        const contextTraits = readNested(context, 'traits', 'context.traits', warnings);
        if (isRecord(contextTraits)) traits = contextTraits;
      }
      const event: KmIdentifyEvent = {
        [KM_EVENT]: true,
        type,
        userId,
        anonymousId,
        person,
        time: readTime(message, options, warnings),
        messageId: readMessageId(message, options, warnings),
        context,
        warnings: NO_WARNINGS,
        traits: traits ?? EMPTY,
      };
      return withWarnings(event, warnings);
    }
    default: {
      const groupId = readIdentity(read(message, 'groupId'), 'groupId', warnings);
      if (groupId === undefined) {
        fail(
          'missing_group_id',
          'groupId',
          'a group call needs groupId, the id of the account or company: pass groupId',
        );
      }
      const event: KmGroupEvent = {
        [KM_EVENT]: true,
        type: 'group',
        userId,
        anonymousId,
        person,
        time: readTime(message, options, warnings),
        messageId: readMessageId(message, options, warnings),
        context: readObject(message, 'context', warnings) ?? EMPTY,
        warnings: NO_WARNINGS,
        groupId,
        traits: readObject(message, 'traits', warnings) ?? EMPTY,
      };
      return withWarnings(event, warnings);
    }
  }
}

// The identity that is not the person must not block the event: it is only used for aliases.
function dropLongIdentity(
  id: string | undefined,
  path: string,
  nameLength: number,
  warnings: ParseWarnings,
): string | undefined {
  if (id === undefined || fitsCodePoints(id, nameLength)) return id;
  warnings.add(
    'invalid_field',
    path,
    `${path} is over ${nameLength} characters, Kissmetrics' limit for an identity: ignored`,
  );
  return undefined;
}

function withWarnings<T extends KmEvent>(event: T, warnings: ParseWarnings): T {
  if (warnings.list !== undefined)
    (event as { warnings: readonly KmWarning[] }).warnings = warnings.list;
  return event;
}

function ignoreWrongType(value: unknown, path: string, warnings: ParseWarnings): void {
  if (value === undefined || value === null || typeof value === 'string') return;
  if (typeof value === 'number' && Number.isFinite(value)) return;
  warnings.add('invalid_field', path, `${path} is ${describeValue(value)}, not text: ignored`);
}

function missingIdentity(type: string): never {
  return fail(
    'missing_identity',
    'userId',
    `a ${type} needs an identity for Kissmetrics' _p: pass userId (your user's id) or anonymousId (the device's id)`,
  );
}

function readType(message: object): KmEventType {
  const value = read(message, 'type');
  const type = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (type !== undefined && EVENT_TYPES.has(type)) return type as KmEventType;
  let hint = '';
  if (value === undefined && isRecord(read(message, 'message'))) {
    hint = ' (this looks like a pipeline envelope: pass its message)';
  }
  return fail(
    'unknown_type',
    'type',
    `type is ${describeValue(value)}${hint}: set type to identify, track, page, screen, alias or group`,
  );
}
