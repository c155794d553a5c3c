import type { KmCommand, KmValue, KmWireCommand } from '../model/command.js';
import { KmValidationError, type KmWarning } from '../model/errors.js';
import type {
  KmEvent,
  KmEventProperties,
  KmGroupEvent,
  KmIdentifyEvent,
  KmPageEvent,
  KmScreenEvent,
  KmTrackEvent,
} from '../model/event.js';
import { type ParseOptions, parseEvent } from '../model/parse-event.js';
import { fitsCodePoints, resolveLimits } from '../model/parse-limits.js';
import { flattenInto, type RootOverrides } from './flatten.js';
import { pageEventName } from './page-name.js';
import { type MappingProfile, type MappingProfileOptions, resolveProfile } from './profile.js';
import { type CleanContext, PropertyWriter, warn } from './property-writer.js';
import { isOrderCompleted, parseRevenue } from './revenue.js';
import { isArray } from './value-shape.js';

/** Options of {@link mapEvent}: how to parse raw input, where commands go, and which names. */
export interface MapOptions extends ParseOptions, MappingProfileOptions {}

/** The commands for one event, in the order to send them, and what was changed or left out. */
export interface MapResult<Command extends KmCommand = KmCommand> {
  readonly commands: Command[];
  /** The parse warnings of the event, then the mapping's own. */
  readonly warnings: KmWarning[];
}

/** The name Kissmetrics' revenue report reads. Never prefixed. */
export const BILLING_AMOUNT = 'Billing Amount';

// Reads a key the caller set on the object itself; a throwing getter counts as absent here (the
// flattening reports it when it reads the same key).
function ownValue(source: KmEventProperties, key: string): unknown {
  try {
    // Most events have no such key: the plain read settles them without the own-property check.
    const value = source[key];
    return value !== undefined && Object.hasOwn(source, key) ? value : undefined;
  } catch {
    return undefined;
  }
}

interface Mapping {
  readonly event: KmEvent;
  readonly profile: MappingProfile;
  readonly cloud: boolean;
  readonly context: CleanContext;
  readonly commands: KmCommand[];
}

/** Cloud rows carry the person and the time; device rows leave both to the JS library. */
function record(mapping: Mapping, event: string, properties: Record<string, KmValue>): void {
  const { cloud, commands } = mapping;
  commands.push(
    cloud
      ? {
          type: 'record',
          person: mapping.event.person!,
          event,
          time: mapping.event.time,
          properties,
        }
      : { type: 'record', event, properties },
  );
}

function set(mapping: Mapping, properties: Record<string, KmValue>, time?: number): void {
  const { cloud, commands } = mapping;
  if (cloud) {
    commands.push({
      type: 'set',
      person: mapping.event.person!,
      time: time ?? mapping.event.time,
      properties,
    });
  } else {
    commands.push(
      time === undefined ? { type: 'set', properties } : { type: 'set', time, properties },
    );
  }
}

function checkEventName(mapping: Mapping, name: string, path: string): void {
  const limit = mapping.context.nameLength;
  if (!fitsCodePoints(name, limit)) {
    throw new KmValidationError(
      'name_too_long',
      path,
      `the event name "${name.slice(0, 40)}..." is over ${limit} characters, Kissmetrics' limit: shorten ${path} (kmkit refuses rather than truncates, which could merge two events)`,
    );
  }
}

function mapTrack(mapping: Mapping, event: KmTrackEvent): void {
  const { profile, context } = mapping;
  const properties = event.properties;
  // A plugin may have renamed the event after parsing.
  checkEventName(mapping, event.event, 'event');
  const prefix = profile.prefixProperties ? event.event + profile.prefixSeparator : '';

  // Revenue (top level only): the parsed number replaces the text, and feeds Billing Amount.
  let amountKey: string | undefined;
  let amount: number | undefined;
  let candidate = 'revenue';
  let raw = ownValue(properties, 'revenue');
  if ((raw === undefined || raw === null) && profile.totalFallback) {
    const total = ownValue(properties, 'total');
    if (total !== undefined && total !== null && isOrderCompleted(event.event)) {
      candidate = 'total';
      raw = total;
    }
  }
  if (raw !== undefined && raw !== null) {
    amount = parseRevenue(raw);
    if (amount === undefined) {
      warn(
        context,
        'invalid_revenue',
        `properties.${candidate}`,
        `${candidate} is not an amount, so no ${BILLING_AMOUNT} was sent: send a number such as 19.99 (or text such as "$1,299.00")`,
      );
    } else {
      amountKey = candidate;
    }
  }

  const products = ownValue(properties, 'products');
  const productRows = isArray(products) ? products : undefined;
  if (products !== undefined && products !== null && productRows === undefined) {
    warn(
      context,
      'invalid_products',
      'properties.products',
      'products is not an array, so no product rows were sent (it went out as an ordinary property): send an array of product objects',
    );
  }

  let overrides: RootOverrides | undefined;
  if (amountKey !== undefined || productRows !== undefined) {
    overrides = {
      skipKey: productRows === undefined ? undefined : 'products',
      replaceKey: amountKey,
      replaceValue: amount,
      replacePrefix:
        amountKey === 'revenue' && prefix !== '' && profile.revenueSeparator !== undefined
          ? event.event + profile.revenueSeparator
          : undefined,
    };
  }
  const writer = new PropertyWriter(context, !mapping.cloud);
  flattenInto(writer, context, properties, prefix, 'properties', overrides);
  if (amount !== undefined && (profile.billingAmount === 'always' || profile.prefixProperties)) {
    // Through name(): a configured name limit may be shorter than "Billing Amount".
    const name = writer.name('', BILLING_AMOUNT, 'properties', amountKey);
    if (name !== undefined) writer.write(name, amount, 'properties', amountKey);
  }
  record(mapping, event.event, writer.values);

  if (productRows !== undefined) mapProducts(mapping, event, productRows, prefix, properties);
}

/**
 * One `set` per product, at the order's time + index + 1: the order's own row already writes
 * properties at `_t`, and Kissmetrics drops a same-name property write in the same second, so
 * product 0 at `_t` could lose a value the order row also carries.
 */
function mapProducts(
  mapping: Mapping,
  event: KmTrackEvent,
  products: readonly unknown[],
  prefix: string,
  properties: KmEventProperties,
): void {
  const { context } = mapping;
  const seeds = [properties, products];
  for (let index = 0; index < products.length; index++) {
    let product: unknown;
    try {
      product = products[index];
    } catch {
      product = undefined;
    }
    const path = `properties.products[${index}]`;
    if (typeof product !== 'object' || product === null || isArray(product)) {
      warn(
        context,
        'invalid_product',
        path,
        `product ${index} is ${product === null ? 'null' : typeof product === 'object' ? 'an array' : `a ${typeof product}`}, not an object: skipped; send each product as an object`,
      );
      continue;
    }
    const writer = new PropertyWriter(context, !mapping.cloud);
    flattenInto(writer, context, product, prefix, path, undefined, seeds);
    if (writer.size > 0) set(mapping, writer.values, event.time + index + 1);
  }
}

function mapPage(mapping: Mapping, event: KmPageEvent | KmScreenEvent): void {
  const { profile, context } = mapping;
  const name = pageEventName(
    event.type,
    profile.trackNamedPages ? event.name : undefined,
    profile.trackCategorizedPages ? event.category : undefined,
    profile.pageNaming,
  );
  checkEventName(mapping, name.event, name.from ?? 'name');
  const rule = event.type === 'page' ? profile.pageProperties : profile.screenProperties;
  const prefixed = rule === 'always' || (rule === 'option' && profile.prefixProperties);
  const prefix = prefixed
    ? (event.type === 'page' ? 'Page' : 'Screen') + profile.prefixSeparator
    : '';
  const writer = new PropertyWriter(context, !mapping.cloud);
  flattenInto(writer, context, event.properties, prefix, 'properties');
  record(mapping, name.event, writer.values);
}

// A trait that repeats the value we add (`id`, `Group - id`) is no collision worth a warning.
function writeIdentity(writer: PropertyWriter, fixed: string, value: string, path: string): void {
  const existing = writer.find(fixed);
  if (existing === fixed && writer.values[existing] === value) return;
  const name = writer.name('', fixed, path, undefined);
  if (name !== undefined) writer.writeText(name, value, path, undefined);
}

// Where the traits came from, for warning paths; parseEvent already read this field once.
function contextTraits(event: KmIdentifyEvent): unknown {
  try {
    return event.context?.traits;
  } catch {
    return undefined;
  }
}

function mapIdentify(mapping: Mapping, event: KmIdentifyEvent): void {
  const { profile, context, cloud, commands } = mapping;
  const { userId, anonymousId } = event;
  if (!cloud && userId !== undefined) commands.push({ type: 'identify', person: userId });
  const writer = new PropertyWriter(context, !mapping.cloud);
  const traits = event.traits;
  const path = traits === contextTraits(event) ? 'context.traits' : 'traits';
  flattenInto(writer, context, traits, '', path);
  if (profile.identifyIdTrait && userId !== undefined)
    writeIdentity(writer, 'id', userId, 'userId');
  if (writer.size > 0) set(mapping, writer.values);
  if (
    cloud &&
    profile.aliasOnIdentify &&
    userId !== undefined &&
    anonymousId !== undefined &&
    userId !== anonymousId
  ) {
    commands.push({ type: 'alias', person: anonymousId, alias: userId, time: event.time });
  }
}

function mapGroup(mapping: Mapping, event: KmGroupEvent): void {
  const { context } = mapping;
  const writer = new PropertyWriter(context, !mapping.cloud);
  flattenInto(writer, context, event.traits, 'Group - ', 'traits');
  writeIdentity(writer, 'Group - id', event.groupId, 'groupId');
  set(mapping, writer.values);
}

/**
 * Maps an event to Kissmetrics commands, following DESIGN.md's mapping rules and the chosen
 * preset. Raw input (a spec message, its JSON, or UTF-8 bytes) is validated by `parseEvent` with
 * the same options; a parsed event is used as it is. Pure: the clock is read only by `parseEvent`
 * for a message without a timestamp, and `options.now` replaces it.
 *
 * - `cloud` (default): every record and set carries `person` (`_p`) and `time` (`_t`); an alias
 *   carries `person` (the earlier id), `alias` (the new one) and `time`.
 * - `device`: commands for the Kissmetrics JS library (`toKmq`): no person, no time, except
 *   product rows, which need a time of their own; identify becomes `identify` then `set`.
 *
 * A track with a `products` array is recorded without them, then each product is a `set` at the
 * order's time + index + 1 (product 0 one second after the order: the order row already writes
 * its properties at `_t`, and Kissmetrics drops a same-name property write in the same second).
 *
 * @example
 * ```ts
 * const { commands, warnings } = mapEvent(
 *   { type: 'track', userId: 'u1', event: 'Signed Up', properties: { plan: 'Pro' }, timestamp: 1714557600 },
 * );
 * // commands: [{ type: 'record', person: 'u1', event: 'Signed Up', time: 1714557600, properties: { plan: 'Pro' } }]
 * ```
 *
 * @throws {KmValidationError} as `parseEvent` does, `missing_identity` for a device-mode event
 * mapped in cloud mode, `name_too_long` for a page or screen name over the limit, and
 * `invalid_option` for bad options. Never anything else, whatever the input holds.
 */
export function mapEvent(
  input: unknown,
  options?: MapOptions & { readonly mode?: 'cloud' },
): MapResult<KmWireCommand>;
export function mapEvent(input: unknown, options?: MapOptions): MapResult;
export function mapEvent(input: unknown, options?: MapOptions): MapResult {
  const event = parseEvent(input, options);
  const profile = resolveProfile(options);
  const limits = resolveLimits(options?.limits);
  const warnings = event.warnings.length === 0 ? [] : event.warnings.slice();
  const mapping: Mapping = {
    event,
    profile,
    cloud: (options?.mode ?? 'cloud') === 'cloud',
    context: { nameLength: limits.nameLength, valueLength: limits.valueLength, warnings },
    commands: [],
  };
  switch (event.type) {
    case 'track':
      mapTrack(mapping, event);
      break;
    case 'page':
    case 'screen':
      mapPage(mapping, event);
      break;
    case 'identify':
      mapIdentify(mapping, event);
      break;
    case 'alias':
      mapping.commands.push(
        mapping.cloud
          ? { type: 'alias', person: event.previousId, alias: event.userId, time: event.time }
          : { type: 'alias', person: event.previousId, alias: event.userId },
      );
      break;
    case 'group':
      mapGroup(mapping, event);
      break;
  }
  return { commands: mapping.commands, warnings };
}
