/**
 * Input messages in the Segment / RudderStack spec, two ways:
 *
 * - `*Message` (`TrackMessage`...): raw payloads from pipelines, accepted as they are and validated
 *   by `parseEvent`. Every field is optional except `type`, and any extra field is allowed: the
 *   types document the fields kmkit reads, not a promise the input is valid.
 * - `*Params` (`TrackParams`...): what a client call takes, typed exactly: each kind's required
 *   fields, an identity, and no unknown top-level field (a typo does not compile), while
 *   `properties`, `traits` and `context` stay open records.
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

/** A user or device id. A number is accepted and stringified (`42` is the person `"42"`). */
export type SpecId = string | number;

/**
 * Free-form name/value pairs (`properties`, `traits`, `context`): any keys, nested objects
 * flattened by the mapping. Its values are `any` so that an object typed by an `interface`, which
 * has no index signature, fits it too.
 */
// biome-ignore lint/suspicious/noExplicitAny: `unknown` values would refuse interface-typed objects.
export type SpecProperties = Record<string, any>;

/**
 * Who a message is about: `userId` (your user's id), `anonymousId` (the device's), or both.
 * Kissmetrics' `_p` is `userId`, else `anonymousId`; a message with neither cannot be sent.
 */
export type SpecIdentity =
  | { userId: SpecId; anonymousId?: SpecId | null | undefined }
  | { userId?: SpecId | null | undefined; anonymousId: SpecId };

/**
 * The spec fields any call may carry besides its identity and its kind's own fields. Unlike
 * {@link SpecMessageBase} it has no index signature: a misspelt top-level field (`userid`,
 * `evnt`) does not compile. Open records stay open: `properties`, `traits` and `context`.
 */
export interface SpecCommonParams {
  /** When the event happened (`_t`). Preferred over `originalTimestamp`. */
  timestamp?: SpecTimestamp | null | undefined;
  /** The device's own time of the event, used when `timestamp` is absent. */
  originalTimestamp?: SpecTimestamp | null | undefined;
  /** A unique id of the message; generated when absent. */
  messageId?: string | null | undefined;
  /** Free-form context (`traits`, `ip`, `userAgent`, `page`, ...). */
  context?: SpecProperties | null | undefined;
  /** Spec field kmkit accepts and ignores (which destinations a pipeline sends to). */
  integrations?: SpecProperties | null | undefined;
  /** Spec field kmkit accepts and ignores (when the sender sent the message). */
  sentAt?: SpecTimestamp | null | undefined;
  /** Spec field kmkit accepts and ignores (when the pipeline received the message). */
  receivedAt?: SpecTimestamp | null | undefined;
  /** Spec field kmkit accepts and ignores (`server`, `browser`, `mobile`...). */
  channel?: string | null | undefined;
  /** Spec field kmkit accepts and ignores (the spec's version). */
  version?: SpecId | null | undefined;
}

/** What `track()` takes: an identity, the event's name and its properties (`/e`). */
export type TrackParams = SpecIdentity &
  SpecCommonParams & {
    /** The event's name, e.g. `"Signed Up"`: a non-empty string. */
    event: string;
    properties?: SpecProperties | null | undefined;
  };

/** What `identify()` takes: an identity and the person's traits (`/s`, plus `/a` with both ids). */
export type IdentifyParams = SpecIdentity &
  SpecCommonParams & {
    traits?: SpecProperties | null | undefined;
  };

/** What `page()` takes: an identity, the page's name and category, and its properties. */
export type PageParams = SpecIdentity &
  SpecCommonParams & {
    name?: string | null | undefined;
    category?: string | null | undefined;
    properties?: SpecProperties | null | undefined;
  };

/** What `screen()` takes: the same as {@link PageParams}, for a mobile screen. */
export type ScreenParams = PageParams;

/**
 * What `alias()` takes: `userId`, the new identity, and the earlier one as `previousId` (or as
 * `anonymousId`): Kissmetrics joins them into one person (`/a`).
 */
export type AliasParams = SpecCommonParams & { userId: SpecId } & (
    | { previousId: SpecId; anonymousId?: SpecId | null | undefined }
    | { previousId?: SpecId | null | undefined; anonymousId: SpecId }
  );

/** What `group()` takes: an identity, the group's id and its traits (`Group - <trait>`). */
export type GroupParams = SpecIdentity &
  SpecCommonParams & {
    groupId: SpecId;
    traits?: SpecProperties | null | undefined;
  };
