import {
  type KmCommand,
  type KmEventProperties,
  type KmMode,
  KmValidationError,
  type KmValue,
  type KmWarning,
} from '@kmkit/core';
import {
  isOrderCompleted,
  type MappingProfile,
  pageEventName,
  parseRevenue,
} from '@kmkit/core/internal';
import {
  type Cleaning,
  type CleanProperties,
  cleanText,
  codePoints,
  flatten,
  properties as newProperties,
  propertyName,
  warn,
  write,
} from './clean-properties.js';
import { type BrowserEvent, readMessage, refuse } from './read-message.js';

/** What the mapping of a client needs, resolved once when the client is made. */
export interface BrowserMapping {
  readonly mode: KmMode;
  readonly profile: MappingProfile;
  readonly nameLength: number;
  readonly valueLength: number;
}

/** The commands of one message, what was changed or left out, and the message read. */
export interface BrowserMapResult {
  readonly event: BrowserEvent;
  readonly commands: KmCommand[];
  readonly warnings: KmWarning[];
}

/** The name Kissmetrics' revenue report reads. Never prefixed. */
const BILLING_AMOUNT = 'Billing Amount';

// A key the caller set on the object itself; a throwing getter counts as absent here (the
// flattening reports it when it reads the same key).
function own(source: KmEventProperties, key: string): unknown {
  try {
    const value = source[key];
    return value != null && Object.hasOwn(source, key) ? value : undefined;
  } catch {}
}

// A trait that repeats the value we add (`id`, `Group - id`) is no collision worth a warning.
function addIdentity(into: CleanProperties, name: string, value: string, path: string): void {
  if (into.values[into.folded.get(name.toLowerCase()) ?? ''] === value) return;
  const fixed = propertyName(into, '', name, '', path);
  if (fixed !== undefined) write(into, fixed, cleanText(into.cleaning, value, path), path);
}

/**
 * Maps a spec message to Kissmetrics commands, giving exactly the commands and warnings (codes and
 * paths) of `@kmkit/core`'s `mapEvent` with the same options, in less code: the browser's calls
 * need no JSON or byte input, and its messages are short. A property test maps the same generated
 * messages through both.
 *
 * @throws {KmValidationError} as `mapEvent` does.
 */
export function mapMessage(
  message: unknown,
  mapping: BrowserMapping,
  now: () => number,
): BrowserMapResult {
  const { mode, profile } = mapping;
  const cleaning: Cleaning = { ...mapping, warnings: [] };
  const event = readMessage(message, mode, cleaning, now);
  const cloud = mode !== 'device';
  const { person, time, userId } = event;
  const commands: KmCommand[] = [];
  const into = newProperties(cleaning);
  // Cloud rows carry the person and the time; device rows leave both to the JS library, except
  // product rows, which need a time of their own.
  const set = (values: Record<string, KmValue>, at?: number) =>
    commands.push(
      cloud
        ? { type: 'set', person, time: at ?? time, properties: values }
        : at === undefined
          ? { type: 'set', properties: values }
          : { type: 'set', time: at, properties: values },
    );
  const record = (name: string) =>
    commands.push(
      cloud
        ? { type: 'record', person, event: name, time, properties: into.values }
        : { type: 'record', event: name, properties: into.values },
    );

  try {
    switch (event.type) {
      case 'track': {
        const { properties } = event;
        const name = event.event!;
        const prefix = profile.prefixProperties ? name + profile.prefixSeparator : '';
        // Revenue (top level only): the parsed number replaces the text, and feeds Billing Amount.
        let key = 'revenue';
        let raw = own(properties, key);
        if (raw === undefined && profile.totalFallback && isOrderCompleted(name)) {
          key = 'total';
          raw = own(properties, key);
        }
        const amount = raw === undefined ? undefined : parseRevenue(raw);
        if (raw !== undefined && amount === undefined) {
          warn(cleaning, 'invalid_revenue', `properties.${key}`);
        }
        const products = own(properties, 'products');
        const rows = Array.isArray(products) ? products : undefined;
        if (products !== undefined && !rows) {
          warn(cleaning, 'invalid_products', 'properties.products');
        }
        flatten(into, properties, prefix, 'properties', {
          skip: rows && 'products',
          replace: amount === undefined ? undefined : key,
          value: amount,
          prefix:
            key === 'revenue' && prefix && profile.revenueSeparator !== undefined
              ? name + profile.revenueSeparator
              : undefined,
        });
        if (amount !== undefined && (profile.billingAmountAlways || profile.prefixProperties)) {
          const path = `properties.${key}`;
          const billing = propertyName(into, '', BILLING_AMOUNT, '', path);
          if (billing !== undefined) write(into, billing, amount, path);
        }
        record(name);
        for (let index = 0; index < (rows?.length ?? 0); index++) {
          const product: unknown = rows![index];
          const path = `properties.products[${index}]`;
          if (typeof product !== 'object' || product === null || Array.isArray(product)) {
            warn(cleaning, 'invalid_product', path);
            continue;
          }
          const row = newProperties(cleaning);
          flatten(row, product, prefix, path, undefined, [properties, rows!]);
          if (Object.keys(row.values).length > 0) set(row.values, time + index + 1);
        }
        break;
      }
      case 'page':
      case 'screen': {
        const [name, from] = pageEventName(
          event.type,
          profile.trackNamedPages ? event.name : undefined,
          profile.trackCategorizedPages ? event.category : undefined,
          profile.preset,
        );
        if (codePoints(name) > cleaning.nameLength) refuse('name_too_long', from ?? 'name');
        const prefixed =
          !(event.type === 'screen' && profile.screenProperties === 'never') &&
          (profile.alwaysPrefixPages || profile.prefixProperties);
        const label = event.type === 'page' ? 'Page' : 'Screen';
        flatten(
          into,
          event.properties,
          prefixed ? label + profile.prefixSeparator : '',
          'properties',
        );
        record(name);
        break;
      }
      case 'identify':
        if (!cloud && userId !== undefined) commands.push({ type: 'identify', person: userId });
        flatten(into, event.traits, '', event.traitsPath);
        if (profile.identifyIdTrait && userId !== undefined) {
          addIdentity(into, 'id', userId, 'userId');
        }
        if (Object.keys(into.values).length > 0) set(into.values);
        if (
          cloud &&
          profile.aliasOnIdentify &&
          userId &&
          event.anonymousId &&
          userId !== event.anonymousId
        ) {
          commands.push({ type: 'alias', person: event.anonymousId, alias: userId, time });
        }
        break;
      case 'alias':
        commands.push(
          cloud
            ? { type: 'alias', person: person!, alias: userId!, time }
            : { type: 'alias', person: person!, alias: userId! },
        );
        break;
      case 'group':
        flatten(into, event.traits, 'Group - ', 'traits');
        addIdentity(into, 'Group - id', event.groupId!, 'groupId');
        set(into.values);
    }
  } catch (error) {
    // A backstop for user code (proxies, getters) the per-value guards did not see.
    if (KmValidationError.isInstance(error)) throw error;
    refuse('invalid_message', '');
  }
  return { event, commands, warnings: cleaning.warnings };
}
