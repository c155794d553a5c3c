import type { DeliveryEvents, KmWarning, TrackingRequest } from '@kmkit/core';
import type { SpoolWarning } from '../spool/spool.js';

/** A message a plugin returned `null` for: filtered out on purpose, and still reported. */
export interface PluginDrop {
  readonly reason: 'plugin';
  /** The plugin's `name`. */
  readonly plugin: string;
  readonly messageId: string;
  readonly message: string;
}

/** A request refused because the spool journal is at `spool.maxBytes`. */
export interface SpoolFullDrop {
  readonly reason: 'spool_full';
  readonly request: TrackingRequest;
  readonly message: string;
}

/** Something the mapping changed or left out of a message that was still sent. */
export interface MappingWarning extends KmWarning {
  /** The message it concerns. */
  readonly messageId: string;
}

/** A plugin threw or returned something other than an event; it was skipped for this message. */
export interface PluginWarning {
  readonly code: 'plugin_failed';
  readonly plugin: string;
  readonly messageId: string;
  readonly message: string;
  readonly error: unknown;
}

/** The transport could not use undici here and sends with `fetch` (slower, still correct). */
export interface TransportWarning {
  readonly code: 'transport_fallback';
  readonly message: string;
}

/** The events of a client, by name: the delivery engine's, and the client's own. */
export interface ClientEvents {
  /** Kissmetrics acknowledged a request. */
  delivered: DeliveryEvents['delivered'];
  /** An attempt failed and will be retried. */
  retry: DeliveryEvents['retry'];
  /** A request failed for good (a final status, attempts or age ran out). */
  error: DeliveryEvents['error'];
  /** Something will never be sent: refused at a cap, after close, left at close, or filtered. */
  drop: DeliveryEvents['drop'] | PluginDrop | SpoolFullDrop;
  /** Something was changed or went wrong without stopping delivery. */
  warning:
    | DeliveryEvents['warning']
    | MappingWarning
    | PluginWarning
    | SpoolWarning
    | TransportWarning;
}

/** The name of a client event. */
export type ClientEventName = keyof ClientEvents;
