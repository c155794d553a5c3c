import {
  type KmEvent,
  type KmLimits,
  KmValidationError,
  type KmWarning,
  type KmWireCommand,
  type MapOptions,
  type MappingProfileOptions,
  mapEvent,
  type ParseOptions,
  parseEvent,
  type SpecMessageType,
} from '@kmkit/core';

/** The mapping options a client passes through to `@kmkit/core`'s `mapEvent`. */
export interface MessageMappingOptions extends MappingProfileOptions {
  /** Name and value length limits (default 255 / 512 code points, Kissmetrics' own). */
  readonly limits?: KmLimits;
}

/** A message parsed and mapped to the commands to send, with what the mapping changed. */
export interface PreparedMessage {
  readonly event: KmEvent;
  readonly commands: readonly KmWireCommand[];
  readonly warnings: readonly KmWarning[];
}

/** Parses a spec message of a method's `type` and maps it to cloud-mode commands. */
export type MessagePreparer = (type: SpecMessageType, message: unknown) => PreparedMessage;

/**
 * Makes the parse-and-map step of a client: `parseEvent` in cloud mode with the client's clock,
 * then `mapEvent` with its mapping options. It throws {@link KmValidationError} synchronously for
 * invalid input, so nothing of a bad message is queued.
 */
export function createMessagePreparer(
  mapping: MessageMappingOptions,
  now: () => number,
): MessagePreparer {
  const parseOptions: ParseOptions = {
    mode: 'cloud',
    now,
    ...(mapping.limits === undefined ? {} : { limits: mapping.limits }),
  };
  const mapOptions: MapOptions = { ...mapping, mode: 'cloud' };
  return (type, message) => {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new KmValidationError(
        'invalid_message',
        '',
        `${type}() takes one message object such as { userId, ${type === 'track' ? 'event, properties' : 'traits'} }, got ${message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message}`,
      );
    }
    const event = parseEvent({ ...message, type }, parseOptions);
    const { commands, warnings } = mapEvent(event, mapOptions);
    return { event, commands: commands as KmWireCommand[], warnings };
  };
}
