import {
  type KmCommand,
  type KmEventProperties,
  KmValidationError,
  type KmValue,
  type KmWarning,
} from '@kmkit/core';
import { isOrderCompleted, parseRevenue } from '@kmkit/core/internal';
import {
  type Change,
  type Cleaning,
  cleanText,
  codePoints,
  finite,
  flatten,
  newRow,
  overNameLimit,
  type Row,
  toWellFormed,
  warn,
  write,
} from './clean-properties.js';
import { type BrowserEvent, readMessage, refuse } from './read-message.js';
import type { BrowserMapping } from './resolve-mapping.js';

/** The commands of one message, what was changed or left out, and the message read. */
export interface BrowserMapResult {
  readonly event: BrowserEvent;
  readonly commands: KmCommand[];
  readonly warnings: KmWarning[];
}

// A key the caller set on the object itself; a throwing getter counts as absent here (the
// flattening reports it when it reads the same key).
function own(source: object, key: string): unknown {
  try {
    const value = (source as KmEventProperties)[key];
    return value != null && Object.hasOwn(source, key) ? value : undefined;
  } catch {}
}

// A trait that repeats the value we add (`id`, `Group - id`) is no collision worth a warning.
function addIdentity(row: Row, name: string, value: string, path: string): void {
  if (row.values[row.folded.get(name.toLowerCase()) ?? ''] !== value) {
    write(row, name, path, () => cleanText(row.cleaning, value, path));
  }
}

/** A row's revenue (or `total`, where it stands in): the key it replaces, and its amount. */
interface Revenue extends Change {
  readonly amount?: number;
  /** The path of the key read. */
  readonly at: string;
}

/**
 * Maps a spec message to Kissmetrics commands, giving exactly the commands and warnings (codes and
 * paths) of `@kmkit/core`'s `mapEvent` with the same options, in less code: the browser's calls
 * need no JSON or byte input, and its messages are short. A property test maps the same generated
 * messages through both.
 *
 * The presets, as `@kmkit/core`'s profiles: `rudderstack` reads a page's category from its
 * properties only, names screens' properties unprefixed, reads `revenue` on every row (named
 * `<label> - revenue` when prefixing), writes `Billing Amount` only when prefixing and never takes
 * `total` for it; `segment` always prefixes page and screen properties and adds `id` to identify's
 * traits.
 *
 * @throws {KmValidationError} as `mapEvent` does.
 */
export function mapMessage(
  message: unknown,
  mapping: BrowserMapping,
  now: () => number,
): BrowserMapResult {
  const { mode, preset, prefixSeparator } = mapping;
  const rudderstack = preset === 'rudderstack';
  const segment = preset === 'segment';
  const cleaning: Cleaning = { ...mapping, warnings: [] };
  const event = readMessage(message, mode, cleaning, now);
  const cloud = mode !== 'device';
  const { type, person, time, userId, properties } = event;
  const commands: KmCommand[] = [];
  const row = newRow(cleaning);
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
  const record = (name: string, values = row.values) =>
    commands.push(
      cloud
        ? { type: 'record', person, event: name, time, properties: values }
        : { type: 'record', event: name, properties: values },
    );
  const readRevenue = (source: object, path: string, total?: boolean): Revenue => {
    let key = 'revenue';
    let value = own(source, key);
    if (value === undefined && total) {
      key = 'total';
      value = own(source, key);
    }
    const amount = value === undefined ? undefined : parseRevenue(value);
    const at = `${path}.${key}`;
    if (value !== undefined && amount === undefined) warn(cleaning, 'invalid_revenue', at);
    return { key: value === undefined ? undefined : key, value: amount ?? value, amount, at };
  };
  // One row's properties. A revenue's amount replaces its text and also goes to Billing Amount
  // (never prefixed; RudderStack: only when prefixing, and the revenue is `<label> - revenue`).
  const writeRow = (
    into: Row,
    source: object,
    prefix: string,
    label: string,
    path: string,
    revenue?: Revenue,
    skip?: string,
    ancestors?: Set<object>,
  ) => {
    flatten(into, source, prefix, path, ancestors, {
      ...revenue,
      skip,
      prefix: revenue?.key === 'revenue' && prefix && rudderstack ? `${label} - ` : undefined,
    });
    if (revenue?.amount !== undefined && (!rudderstack || prefix)) {
      write(into, 'Billing Amount', revenue.at, () => revenue.amount!);
    }
  };
  // Segment's `Page View`: values cleaned silently, since the page's own record reports them.
  const viewed = (key: string) => {
    const value = own(properties, key);
    if (typeof value === 'string' && value.trim()) {
      return codePoints(toWellFormed(value)).slice(0, cleaning.valueLength).join('');
    }
  };

  try {
    if (type === 'track') {
      const name = event.event!;
      const prefix = mapping.prefixProperties ? name + prefixSeparator : '';
      const revenue = readRevenue(properties, 'properties', !rudderstack && isOrderCompleted(name));
      const products = own(properties, 'products');
      const rows = Array.isArray(products) ? products : undefined;
      if (products !== undefined && !rows) {
        warn(cleaning, 'invalid_products', 'properties.products');
      }
      writeRow(row, properties, prefix, name, 'properties', revenue, rows && 'products');
      record(name);
      // Holes of a sparse array are products too (skipped as not objects), as in core.
      for (let index = 0; index < (rows?.length ?? 0); index++) {
        const product: unknown = rows![index];
        const path = `properties.products[${index}]`;
        if (typeof product !== 'object' || !product || Array.isArray(product)) {
          warn(cleaning, 'invalid_product', path);
          continue;
        }
        const productRow = newRow(cleaning);
        writeRow(
          productRow,
          product,
          prefix,
          name,
          path,
          rudderstack ? readRevenue(product, path) : undefined,
          undefined,
          new Set([properties, rows!]),
        );
        if (Object.keys(productRow.values).length) set(productRow.values, time + index + 1);
      }
    } else if (type === 'page' || type === 'screen') {
      const Kind = type === 'page' ? 'Page' : 'Screen';
      const name = mapping.trackNamedPages ? event.name : undefined;
      const category = !mapping.trackCategorizedPages
        ? undefined
        : rudderstack
          ? readCategory(properties)
          : event.category;
      // The field an over-long name is blamed on.
      let from = name === undefined ? 'category' : 'name';
      let title = `Loaded a ${Kind}`;
      if (segment) {
        if ((name ?? category) !== undefined) title = `Viewed ${name ?? category} ${Kind}`;
      } else if (name !== undefined) {
        // RudderStack's cloud transform names a categorised screen "... page" too.
        title =
          category === undefined
            ? `Viewed ${name} ${type}`
            : `Viewed ${category} ${name} ${rudderstack ? 'page' : type}`;
      } else if (category !== undefined && !rudderstack) {
        title = `Viewed ${category} ${type}`;
      }
      if (title[0] === 'L') from = 'name';
      if (overNameLimit(cleaning, title)) refuse('name_too_long', from);
      if (type === 'page' && mapping.recordPageView) {
        const url = viewed('url');
        record('Page View', {
          ...(url === undefined ? {} : { 'Viewed URL': url }),
          // A configured value limit may be shorter than "Direct" too.
          Referrer: viewed('referrer') ?? 'Direct'.slice(0, cleaning.valueLength),
        });
      }
      const prefixed = !(type === 'screen' && rudderstack) && (segment || mapping.prefixProperties);
      writeRow(
        row,
        properties,
        prefixed ? Kind + prefixSeparator : '',
        Kind,
        'properties',
        rudderstack ? readRevenue(properties, 'properties') : undefined,
      );
      record(title);
    } else if (type === 'identify') {
      if (!cloud && userId !== undefined) commands.push({ type, person: userId });
      flatten(row, event.traits, '', event.traitsPath);
      if (segment && userId !== undefined) addIdentity(row, 'id', userId, 'userId');
      if (Object.keys(row.values).length) set(row.values);
      const { anonymousId } = event;
      if (cloud && mapping.aliasOnIdentify && userId && anonymousId && userId !== anonymousId) {
        commands.push({ type: 'alias', person: anonymousId, alias: userId, time });
      }
    } else if (type === 'alias') {
      commands.push(
        cloud
          ? { type, person: person!, alias: userId!, time }
          : { type, person: person!, alias: userId! },
      );
    } else {
      flatten(row, event.traits, 'Group - ', 'traits');
      addIdentity(row, 'Group - id', event.groupId!, 'groupId');
      set(row.values);
    }
  } catch (error) {
    // A backstop for user code (proxies, getters) the per-value guards did not see.
    if (KmValidationError.isInstance(error)) throw error;
    refuse('invalid_message', '');
  }
  return { event, commands, warnings: cleaning.warnings };
}

// A page's or screen's category as RudderStack reads it: `properties.category` only (non-blank
// text or a finite number), silently (the property itself is reported when it is cleaned).
function readCategory(properties: KmEventProperties): string | undefined {
  try {
    const value = properties.category;
    if (typeof value === 'number') return finite(value) ? String(value) : undefined;
    if (typeof value === 'string' && value.trim()) return toWellFormed(value);
  } catch {}
}
