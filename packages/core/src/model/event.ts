import type { KmWarning } from './errors.js';

/**
 * Marks an event made by `parseEvent`, so `mapEvent` and `runPlugins` can tell a validated event
 * from raw input without validating it again. The key is enumerable, so an object spread
 * (`{ ...event, properties }`) keeps it, while `JSON.stringify` and `Object.keys` ignore it.
 * `Symbol.for` makes two copies of `@kmkit/core` agree on it.
 */
export const KM_EVENT: unique symbol = Symbol.for('kmkit.event');

/** Free-form properties or traits as the caller gave them (not yet cleaned: `mapEvent` does that). */
export type KmEventProperties = Readonly<Record<string, unknown>>;

/** Fields every parsed event has. */
export interface KmEventBase {
  /** Brand set by `parseEvent`; copy it with a spread, never set it yourself. */
  readonly [KM_EVENT]: true;
  /** The named identity, when the message had a usable one (numbers stringified). */
  readonly userId?: string;
  /** The anonymous identity, when the message had a usable one. */
  readonly anonymousId?: string;
  /**
   * The Kissmetrics identity `_p`: `userId`, else `anonymousId` (for an alias: `previousId`).
   * Absent only in device mode, where the Kissmetrics JS library owns the identity.
   */
  readonly person?: string;
  /** When the event happened, in whole Unix seconds (`_t`), fixed once at parse time. */
  readonly time: number;
  /** The message id from the input, or a generated one. */
  readonly messageId: string;
  /** The message's `context`, or an empty object. */
  readonly context: KmEventProperties;
  /** What parsing changed or ignored; `mapEvent` reports these with its own warnings. */
  readonly warnings: readonly KmWarning[];
}

/** A parsed `track`: the event name and its properties. */
export interface KmTrackEvent extends KmEventBase {
  readonly type: 'track';
  /** The event name, non-empty and within the name limit. */
  readonly event: string;
  readonly properties: KmEventProperties;
}

/** A parsed `identify`: traits from `traits`, else `context.traits`. */
export interface KmIdentifyEvent extends KmEventBase {
  readonly type: 'identify';
  readonly traits: KmEventProperties;
}

/** A parsed `page`. `category` comes from `category`, else `properties.category`. */
export interface KmPageEvent extends KmEventBase {
  readonly type: 'page';
  readonly name?: string;
  readonly category?: string;
  readonly properties: KmEventProperties;
}

/** A parsed `screen`, read like a page. */
export interface KmScreenEvent extends KmEventBase {
  readonly type: 'screen';
  readonly name?: string;
  readonly category?: string;
  readonly properties: KmEventProperties;
}

/** A parsed `alias`: `previousId` (else the message's `anonymousId`) and `userId` are one person. */
export interface KmAliasEvent extends KmEventBase {
  readonly type: 'alias';
  /** The new identity (`_n` of `/a`). */
  readonly userId: string;
  /** The earlier identity (`_p` of `/a`): `previousId`, else `anonymousId`. Equal to `person`. */
  readonly previousId: string;
  readonly person: string;
}

/** A parsed `group`: the group's id and traits. */
export interface KmGroupEvent extends KmEventBase {
  readonly type: 'group';
  readonly groupId: string;
  readonly traits: KmEventProperties;
}

/** Any event `parseEvent` returns; switch on `type`. */
export type KmEvent =
  | KmTrackEvent
  | KmIdentifyEvent
  | KmPageEvent
  | KmScreenEvent
  | KmAliasEvent
  | KmGroupEvent;

/** The kinds of {@link KmEvent}. */
export type KmEventType = KmEvent['type'];

/** True for an event made by `parseEvent` (or a spread copy of one). */
export function isKmEvent(value: unknown): value is KmEvent {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as { [KM_EVENT]?: unknown })[KM_EVENT] === true;
  } catch {
    // A proxy whose get trap throws is raw input, and parseEvent reports it.
    return false;
  }
}
