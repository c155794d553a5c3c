/**
 * Input messages in the Segment / RudderStack spec. Every field is optional at the type level
 * except `type`, because raw payloads from pipelines are accepted as they are and validated by
 * `parseEvent`: the types document the fields kmkit reads, not a promise the input is valid.
 */

/** A timestamp as the spec allows it: an ISO-8601 string, a `Date`, or epoch seconds / milliseconds. */
export type SpecTimestamp = string | number | Date;

/** Fields shared by every message kind. */
export interface SpecMessageBase {
  /** The named identity (your user id). Numbers are accepted and stringified. */
  userId?: string | number | null;
  /** The anonymous identity of the device or browser. */
  anonymousId?: string | number | null;
  /** When the event happened (`_t`). Preferred over `originalTimestamp`. */
  timestamp?: SpecTimestamp | null;
  /** The device's own time of the event, used when `timestamp` is absent. */
  originalTimestamp?: SpecTimestamp | null;
  /** A unique id of the message; generated when absent. */
  messageId?: string | null;
  /** Free-form context (`traits`, `ip`, `userAgent`, `page`, ...). */
  context?: Record<string, unknown> | null;
  /** Pipeline-specific extras (`integrations`, `sentAt`, `channel`, ...) are accepted and ignored. */
  [extra: string]: unknown;
}

/** `track`: a named event with properties (`/e`). */
export interface TrackMessage extends SpecMessageBase {
  type: 'track';
  event: string;
  properties?: Record<string, unknown> | null;
}

/** `identify`: person properties (`/s`), plus an alias of `anonymousId` to `userId` in cloud mode. */
export interface IdentifyMessage extends SpecMessageBase {
  type: 'identify';
  traits?: Record<string, unknown> | null;
}

/** `page`: a page view, recorded as `Viewed <category> <name> page` and its variants. */
export interface PageMessage extends SpecMessageBase {
  type: 'page';
  name?: string | null;
  category?: string | null;
  properties?: Record<string, unknown> | null;
}

/** `screen`: a mobile screen view, recorded like a page with `screen` in the name. */
export interface ScreenMessage extends SpecMessageBase {
  type: 'screen';
  name?: string | null;
  category?: string | null;
  properties?: Record<string, unknown> | null;
}

/** `alias`: `previousId` (or the current `anonymousId`) and `userId` are one person (`/a`). */
export interface AliasMessage extends SpecMessageBase {
  type: 'alias';
  previousId?: string | number | null;
}

/** `group`: the person's group, set as `Group - <trait>` properties plus `Group - id`. */
export interface GroupMessage extends SpecMessageBase {
  type: 'group';
  groupId?: string | number | null;
  traits?: Record<string, unknown> | null;
}

/** Any message kmkit accepts. */
export type SpecMessage =
  | TrackMessage
  | IdentifyMessage
  | PageMessage
  | ScreenMessage
  | AliasMessage
  | GroupMessage;

/** The `type` values kmkit accepts. */
export type SpecMessageType = SpecMessage['type'];
