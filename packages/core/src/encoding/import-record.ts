import type { KmValue, KmWireCommand } from '../model/command.js';
import { KmValidationError } from '../model/errors.js';

/**
 * One line of Kissmetrics' JSON bulk import (no trailing newline): `_p` and `_t` first, then `_n`
 * for an event or `_p2` for an alias, then the properties with their JSON types.
 * e.g. `{"_p":"1","_t":1328044149,"_n":"Subscribed","Age":32}`.
 *
 * @throws {KmValidationError} `not_encodable` for a command without `person` or `time` (the import
 * requires both), or of a device-only type.
 */
export function toImportRecord(command: KmWireCommand): string {
  const type = (command as { type: string }).type;
  if (type !== 'record' && type !== 'set' && type !== 'alias') {
    throw new KmValidationError(
      'not_encodable',
      'type',
      `a "${type}" command has no bulk-import form: it only exists in device mode`,
    );
  }
  if (typeof command.person !== 'string' || command.person === '') {
    throw new KmValidationError(
      'not_encodable',
      'person',
      'the bulk import requires _p: map the event in cloud mode so it has a person',
    );
  }
  if (command.time === undefined || !Number.isSafeInteger(command.time)) {
    throw new KmValidationError(
      'not_encodable',
      'time',
      'the bulk import requires _t in whole seconds: map the event in cloud mode so it has a time',
    );
  }
  const line: Record<string, KmValue> = { _p: command.person, _t: command.time };
  if (command.type === 'alias') {
    line._p2 = command.alias;
  } else {
    if (command.type === 'record') line._n = command.event;
    for (const key of Object.keys(command.properties)) {
      // defineProperty keeps "__proto__" an ordinary key, which JSON.stringify then writes.
      Object.defineProperty(line, key, {
        value: command.properties[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return JSON.stringify(line);
}
