import {
  type KmEvent,
  type KmLimits,
  type KmPlugin,
  type KmPluginError,
  KmValidationError,
  type KmWarning,
  type KmWireCommand,
  type MapOptions,
  type MappingProfileOptions,
  mapEvent,
  type ParseOptions,
  parseEvent,
  runPlugins,
  type SpecMessageType,
} from '@kmkit/core';

/** The mapping options a client passes through to `@kmkit/core`'s `mapEvent`. */
export interface MessageMappingOptions extends MappingProfileOptions {
  /** Name and value length limits (default 255 / 512 code points, Kissmetrics' own). */
  readonly limits?: KmLimits;
}

const NO_ERRORS: readonly KmPluginError[] = Object.freeze([]);

/** A message parsed, run through the plugins and mapped to the commands to send. */
export interface PreparedMessage {
  /** The parsed event (before plugins: its `messageId` names the message). */
  readonly event: KmEvent;
  /** Nothing when a plugin dropped the message. */
  readonly commands: readonly KmWireCommand[];
  readonly warnings: readonly KmWarning[];
  /** The plugin that returned `null` for it. */
  readonly droppedBy?: string;
  /** Plugins that threw or returned a non-event; each was skipped. */
  readonly pluginErrors: readonly KmPluginError[];
}

/** Parses a spec message of a method's `type` and maps it to cloud-mode commands. */
export type MessagePreparer = (type: SpecMessageType, message: unknown) => PreparedMessage;

/**
 * Makes the parse-and-map step of a client: `parseEvent` in cloud mode with the client's clock,
 * then the plugins (`runPlugins`), then `mapEvent` with its mapping options. It throws {@link KmValidationError} synchronously for
 * invalid input, so nothing of a bad message is queued.
 */
export function createMessagePreparer(
  mapping: MessageMappingOptions,
  now: () => number,
  plugins: readonly KmPlugin[] = [],
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
    let processed: KmEvent = event;
    let pluginErrors: readonly KmPluginError[] = NO_ERRORS;
    if (plugins.length > 0) {
      const run = runPlugins(event, plugins);
      pluginErrors = run.errors;
      if (run.event === null) {
        return {
          event,
          commands: [],
          warnings: event.warnings,
          droppedBy: run.droppedBy ?? 'unknown',
          pluginErrors,
        };
      }
      processed = run.event;
    }
    const { commands, warnings } = mapEvent(processed, mapOptions);
    return { event, commands: commands as KmWireCommand[], warnings, pluginErrors };
  };
}
