/**
 * A property value as Kissmetrics stores it: text or a number. Booleans travel as `true`/`false`.
 * Values are already cleaned by the mapping (flattened, limited to the value length).
 */
export type KmValue = string | number | boolean;

/** Cleaned, flat properties of one command: keys are final Kissmetrics property names. */
export type KmProperties = Readonly<Record<string, KmValue>>;

/**
 * Record an event (`/e`, `['record', name, props]`). Its properties are also set on the person.
 *
 * `person` is the Kissmetrics identity (`_p`); it is absent only in device mode, where the
 * Kissmetrics JS library supplies its own. `time` is whole Unix seconds (`_t`, always sent with
 * `_d=1`); in device mode it is absent unless the row needs a time of its own (product rows).
 */
export interface KmRecordCommand {
  readonly type: 'record';
  readonly person?: string;
  readonly event: string;
  readonly time?: number;
  readonly properties: KmProperties;
}

/** Set person properties without an event (`/s`, `['set', props]`). Fields as {@link KmRecordCommand}. */
export interface KmSetCommand {
  readonly type: 'set';
  readonly person?: string;
  readonly time?: number;
  readonly properties: KmProperties;
}

/**
 * Declare two identities one person (`/a?_p=<person>&_n=<alias>`, `['alias', alias, person]`).
 * Irreversible and transitive at Kissmetrics. `time` is only used by the bulk-import line.
 */
export interface KmAliasCommand {
  readonly type: 'alias';
  readonly person: string;
  readonly alias: string;
  readonly time?: number;
}

/** Device mode only: make `person` the current named identity of the Kissmetrics JS library. */
export interface KmIdentifyCommand {
  readonly type: 'identify';
  readonly person: string;
}

/** Device mode only: forget the named identity and start a new anonymous one. */
export interface KmClearIdentityCommand {
  readonly type: 'clearIdentity';
}

/** A command that has an HTTP and a bulk-import form. */
export type KmWireCommand = KmRecordCommand | KmSetCommand | KmAliasCommand;

/** Everything the mapping can produce. `identify` and `clearIdentity` exist only as `_kmq` commands. */
export type KmCommand = KmWireCommand | KmIdentifyCommand | KmClearIdentityCommand;

/**
 * Query parameters Kissmetrics reads as control parameters. A property with one of these names
 * would overwrite the request's meaning, so the mapping drops it with a warning.
 */
export const CONTROL_PARAMETERS: ReadonlySet<string> = new Set([
  '_k',
  '_p',
  '_n',
  '_t',
  '_d',
  '_p2',
  '_c',
  '_u',
  '_x',
  '_ip',
  '_ua',
]);
