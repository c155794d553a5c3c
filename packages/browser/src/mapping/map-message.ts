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
  propertiesCategory,
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
  wellFormed,
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
  const record = (name: string, values = into.values) =>
    commands.push(
      cloud
        ? { type: 'record', person, event: name, time, properties: values }
        : { type: 'record', event: name, properties: values },
    );
  // A row's `revenue` (or `total`, where it stands in): the key, its value, and its amount.
  const readRevenue = (source: object, path: string, total: boolean) => {
    let key = 'revenue';
    let raw = own(source as KmEventProperties, key);
    if (raw === undefined && total) {
      key = 'total';
      raw = own(source as KmEventProperties, key);
    }
    const amount = raw === undefined ? undefined : parseRevenue(raw);
    if (raw !== undefined && amount === undefined) {
      warn(cleaning, 'invalid_revenue', `${path}.${key}`);
    }
    return { key, raw, amount };
  };
  // One row's properties; a revenue is named `<label> - revenue` when prefixing (RudderStack), and
  // its amount replaces the text and also goes to Billing Amount (always, or when prefixing).
  const writeRow = (
    row: CleanProperties,
    source: object,
    prefix: string,
    label: string,
    path: string,
    revenue?: ReturnType<typeof readRevenue>,
    skip?: string,
    seeds?: readonly object[],
  ) => {
    flatten(
      row,
      source,
      prefix,
      path,
      revenue && {
        skip,
        replace: revenue.raw === undefined ? undefined : revenue.key,
        value: revenue.amount ?? revenue.raw,
        prefix:
          revenue.key === 'revenue' && prefix && profile.revenueSeparator !== undefined
            ? label + profile.revenueSeparator
            : undefined,
      },
      seeds,
    );
    if (revenue?.amount !== undefined && (profile.billingAmountAlways || prefix)) {
      const at = `${path}.${revenue.key}`;
      const billing = propertyName(row, '', BILLING_AMOUNT, '', at);
      if (billing !== undefined) write(row, billing, revenue.amount, at);
    }
  };
  // Segment's `Page View`: values cleaned silently, since the page's own record reports them.
  const viewed = (key: string) => {
    const value = own(event.properties, key);
    if (typeof value === 'string' && value.trim()) {
      return [...(wellFormed(value) ?? value)].slice(0, cleaning.valueLength).join('');
    }
  };

  try {
    switch (event.type) {
      case 'track': {
        const { properties } = event;
        const name = event.event!;
        const prefix = profile.prefixProperties ? name + profile.prefixSeparator : '';
        const revenue = readRevenue(
          properties,
          'properties',
          profile.totalFallback && isOrderCompleted(name),
        );
        const products = own(properties, 'products');
        const rows = Array.isArray(products) ? products : undefined;
        if (products !== undefined && !rows) {
          warn(cleaning, 'invalid_products', 'properties.products');
        }
        writeRow(into, properties, prefix, name, 'properties', revenue, rows && 'products');
        record(name);
        for (let index = 0; index < (rows?.length ?? 0); index++) {
          const product: unknown = rows![index];
          const path = `properties.products[${index}]`;
          if (typeof product !== 'object' || product === null || Array.isArray(product)) {
            warn(cleaning, 'invalid_product', path);
            continue;
          }
          const row = newProperties(cleaning);
          writeRow(
            row,
            product,
            prefix,
            name,
            path,
            profile.revenueOnEveryRow ? readRevenue(product, path, false) : undefined,
            undefined,
            [properties, rows!],
          );
          if (Object.keys(row.values).length > 0) set(row.values, time + index + 1);
        }
        break;
      }
      case 'page':
      case 'screen': {
        const { properties } = event;
        const category = profile.categoryFromProperties
          ? propertiesCategory(properties)
          : event.category;
        const [name, from] = pageEventName(
          event.type,
          profile.trackNamedPages ? event.name : undefined,
          profile.trackCategorizedPages ? category : undefined,
          profile.preset,
        );
        if (codePoints(name) > cleaning.nameLength) refuse('name_too_long', from ?? 'name');
        if (event.type === 'page' && profile.recordPageView) {
          const url = viewed('url');
          record('Page View', {
            ...(url === undefined ? {} : { 'Viewed URL': url }),
            // A configured value limit may be shorter than "Direct" too.
            Referrer: viewed('referrer') ?? 'Direct'.slice(0, cleaning.valueLength),
          });
        }
        const prefixed =
          !(event.type === 'screen' && profile.screenProperties === 'never') &&
          (profile.alwaysPrefixPages || profile.prefixProperties);
        const label = event.type === 'page' ? 'Page' : 'Screen';
        writeRow(
          into,
          properties,
          prefixed ? label + profile.prefixSeparator : '',
          label,
          'properties',
          profile.revenueOnEveryRow ? readRevenue(properties, 'properties', false) : undefined,
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
