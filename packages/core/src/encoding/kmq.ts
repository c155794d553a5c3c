import type { KmCommand, KmProperties } from '../model/command.js';
import { DEV } from '../model/development.js';
import { KmValidationError } from '../model/errors.js';

/** One command for the Kissmetrics JS library's queue (`window._kmq.push(command)`). */
export type KmqCommand =
  | readonly ['record', string]
  | readonly ['record', string, KmProperties]
  | readonly ['set', KmProperties]
  | readonly ['identify', string]
  | readonly ['alias', string, string]
  | readonly ['clearIdentity'];

/**
 * The `_kmq` array for a command, as the Kissmetrics JS library expects it:
 * `['record', name, props?]`, `['set', props]`, `['identify', id]`, `['alias', newId, previousId]`,
 * `['clearIdentity']`. A command with a `time` carries `_t` and `_d: 1` in its properties.
 *
 * @throws {KmValidationError} `not_encodable` for an unknown command type.
 */
export function toKmq(command: KmCommand): KmqCommand {
  const { type } = command;
  if (type === 'identify') return [type, command.person];
  if (type === 'alias') return [type, command.alias, command.person];
  if (type === 'clearIdentity') return [type];
  if (type === 'record' || type === 'set') {
    const { properties, time } = command;
    // The JS library reads _t/_d from the properties; only rows that need a time of their own carry one.
    const timed = time === undefined ? properties : { ...properties, _t: time, _d: 1 };
    if (type === 'set') return [type, timed];
    return Object.keys(timed).length ? [type, command.event, timed] : [type, command.event];
  }
  throw new KmValidationError(
    'not_encodable',
    'type',
    DEV
      ? `unknown command type "${type}": expected record, set, identify, alias or clearIdentity`
      : '',
  );
}
