import type { KmCommand, KmProperties, KmValue } from '../model/command.js';
import { KmValidationError } from '../model/errors.js';

/** One command for the Kissmetrics JS library's queue (`window._kmq.push(command)`). */
export type KmqCommand =
  | readonly ['record', string]
  | readonly ['record', string, KmProperties]
  | readonly ['set', KmProperties]
  | readonly ['identify', string]
  | readonly ['alias', string, string]
  | readonly ['clearIdentity'];

// The JS library reads _t/_d from the properties; only rows that need a time of their own carry one.
function withTime(properties: KmProperties, time: number | undefined): KmProperties {
  if (time === undefined) return properties;
  const timed: Record<string, KmValue> = { ...properties };
  timed._t = time;
  timed._d = 1;
  return timed;
}

/**
 * The `_kmq` array for a command, as the Kissmetrics JS library expects it:
 * `['record', name, props?]`, `['set', props]`, `['identify', id]`, `['alias', newId, previousId]`,
 * `['clearIdentity']`. A command with a `time` carries `_t` and `_d: 1` in its properties.
 *
 * @throws {KmValidationError} `not_encodable` for an unknown command type.
 */
export function toKmq(command: KmCommand): KmqCommand {
  switch (command.type) {
    case 'record': {
      const properties = withTime(command.properties, command.time);
      return Object.keys(properties).length === 0
        ? ['record', command.event]
        : ['record', command.event, properties];
    }
    case 'set':
      return ['set', withTime(command.properties, command.time)];
    case 'identify':
      return ['identify', command.person];
    case 'alias':
      return ['alias', command.alias, command.person];
    case 'clearIdentity':
      return ['clearIdentity'];
    default:
      throw new KmValidationError(
        'not_encodable',
        'type',
        `unknown command type "${(command as { type: string }).type}": expected record, set, identify, alias or clearIdentity`,
      );
  }
}
