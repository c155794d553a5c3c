import type { KmCommand, KmValue, KmWireCommand } from '../model/command.js';
import { DEV } from '../model/development.js';
import { KmValidationError, type KmWarning } from '../model/errors.js';
import type { KmEvent, KmEventProperties } from '../model/event.js';
import { fitsCodePoints, resolveLimits, truncateCodePoints, wellFormed } from '../model/limits.js';
import { fail, type ParseOptions, parseEvent, withArticle } from '../model/parse-event.js';
import { pageEventName, propertiesCategory } from './page-name.js';
import { type MappingProfile, type MappingProfileOptions, resolveProfile } from './profile.js';
import { type CleanContext, flatten, Properties, warn } from './properties.js';
import { isOrderCompleted, parseRevenue } from './revenue.js';

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

/** Segment's record of every page beside the page's own (`recordPageView`). */
export const PAGE_VIEW = 'Page View';

// A key the caller set on the object itself (not inherited); a throwing getter counts as absent
// here, and the flattening reports it when it reads the same key.
function own(source: KmEventProperties, key: string): unknown {
  try {
    const value = source[key];
    return value != null && Object.hasOwn(source, key) ? value : undefined;
  } catch {
    return undefined;
  }
}

function checkEventName(context: CleanContext, name: string, path: string): string {
  if (!fitsCodePoints(name, context.nameLength)) {
    fail(
      'name_too_long',
      path,
      DEV &&
        `the event name "${name.slice(0, 40)}..." is over ${context.nameLength} characters, Kissmetrics' limit: shorten ${path} (kmkit refuses rather than truncates, which could merge two events)`,
    );
  }
  return name;
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
export function mapEvent(input: unknown, options: MapOptions = {}): MapResult {
  const event = parseEvent(input, options);
  try {
    return map(event, options);
  } catch (error) {
    // A backstop for user code (proxies, getters) the per-value guards did not see.
    if (error instanceof KmValidationError) throw error;
    return fail(
      'invalid_message',
      '',
      DEV &&
        `reading the event threw (${error instanceof Error ? error.message : typeof error}): pass plain objects`,
    );
  }
}

/** The commands of one event as they are built. */
class Commands {
  readonly list: KmCommand[] = [];

  constructor(
    private readonly cloud: boolean,
    private readonly person: string | undefined,
    private readonly time: number,
  ) {}

  record(event: string, properties: Record<string, KmValue>): void {
    const { cloud, person, time } = this;
    this.list.push(
      cloud
        ? { type: 'record', person, event, time, properties }
        : { type: 'record', event, properties },
    );
  }

  /** Cloud rows carry the person and the time; device rows leave both to the JS library, except
   * product rows, which need a time of their own. */
  set(properties: Record<string, KmValue>, at?: number): void {
    const { cloud, person, time } = this;
    this.list.push(
      cloud
        ? { type: 'set', person, time: at ?? time, properties }
        : at === undefined
          ? { type: 'set', properties }
          : { type: 'set', time: at, properties },
    );
  }
}

// A trait that repeats the value we add (`id`, `Group - id`) is no collision worth a warning.
function addIdentity(into: Properties, name: string, value: string, path: string): void {
  if (into.values[into.find(name) ?? ''] === value) return;
  const fixed = into.name('', name, '', path);
  if (fixed !== undefined) into.text(fixed, value, path);
}

function map(event: KmEvent, options: MapOptions): MapResult {
  const profile = resolveProfile(options);
  const limits = resolveLimits(options.limits);
  const context: CleanContext = {
    nameLength: limits.nameLength,
    valueLength: limits.valueLength,
    warnings: event.warnings.slice(),
  };
  const cloud = options.mode !== 'device';
  const { time } = event;
  const out = new Commands(cloud, event.person, time);
  const commands = out.list;
  switch (event.type) {
    case 'track': {
      const { properties } = event;
      // A plugin may have renamed the event after parsing.
      const name = checkEventName(context, event.event, 'event');
      const prefix = profile.prefixProperties ? name + profile.prefixSeparator : '';
      const revenue = readRevenue(
        context,
        properties,
        'properties',
        profile.totalFallback && isOrderCompleted(name),
      );
      const products = own(properties, 'products');
      const rows = Array.isArray(products) ? products : undefined;
      if (products !== undefined && rows === undefined) {
        warn(
          context,
          'invalid_products',
          'properties.products',
          DEV &&
            'products is not an array, so no product rows were sent (it went out as an ordinary property): send an array of product objects',
        );
      }
      const into = new Properties(context);
      writeRow(into, properties, prefix, name, 'properties', profile, revenue, rows && 'products');
      out.record(name, into.values);
      if (rows !== undefined) {
        for (let index = 0; index < rows.length; index++) {
          const product: unknown = rows[index];
          const path = `properties.products[${index}]`;
          if (typeof product !== 'object' || product === null || Array.isArray(product)) {
            warn(
              context,
              'invalid_product',
              path,
              DEV &&
                `product ${index} is ${describeProduct(product)}, not an object: skipped; send each product as an object`,
            );
            continue;
          }
          const row = new Properties(context);
          // RudderStack reads a product's revenue as an order's: `<event> - revenue` and Billing Amount.
          writeRow(
            row,
            product,
            prefix,
            name,
            path,
            profile,
            profile.revenueOnEveryRow ? readRevenue(context, product, path, false) : undefined,
            undefined,
            [properties, rows],
          );
          if (row.size > 0) out.set(row.values, time + index + 1);
        }
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
      checkEventName(context, name, from ?? 'name');
      if (event.type === 'page' && profile.recordPageView) {
        out.record(PAGE_VIEW, pageView(context, properties));
      }
      const prefixed =
        !(event.type === 'screen' && profile.screenProperties === 'never') &&
        (profile.alwaysPrefixPages || profile.prefixProperties);
      const label = event.type === 'page' ? 'Page' : 'Screen';
      const into = new Properties(context);
      writeRow(
        into,
        properties,
        prefixed ? label + profile.prefixSeparator : '',
        label,
        'properties',
        profile,
        profile.revenueOnEveryRow
          ? readRevenue(context, properties, 'properties', false)
          : undefined,
      );
      out.record(name, into.values);
      break;
    }
    case 'identify': {
      const { userId, anonymousId, traits } = event;
      if (!cloud && userId !== undefined) commands.push({ type: 'identify', person: userId });
      const into = new Properties(context);
      let path = 'traits';
      try {
        if (traits === event.context.traits) path = 'context.traits';
      } catch {}
      flatten(into, traits, '', path);
      if (profile.identifyIdTrait && userId !== undefined)
        addIdentity(into, 'id', userId, 'userId');
      if (into.size > 0) out.set(into.values);
      if (cloud && profile.aliasOnIdentify && userId && anonymousId && userId !== anonymousId) {
        commands.push({ type: 'alias', person: anonymousId, alias: userId, time });
      }
      break;
    }
    case 'alias':
      commands.push(
        cloud
          ? { type: 'alias', person: event.previousId, alias: event.userId, time }
          : { type: 'alias', person: event.previousId, alias: event.userId },
      );
      break;
    case 'group': {
      const into = new Properties(context);
      flatten(into, event.traits, 'Group - ', 'traits');
      addIdentity(into, 'Group - id', event.groupId, 'groupId');
      out.set(into.values);
      break;
    }
  }
  return { commands, warnings: context.warnings };
}

/** A row's `revenue` (or `total`, where it stands in): which key, its value, and its amount. */
interface Revenue {
  readonly key: string;
  readonly raw: unknown;
  readonly amount: number | undefined;
}

/** Reads a row's revenue; text that is not an amount is warned about and stays text. */
function readRevenue(
  context: CleanContext,
  source: object,
  path: string,
  totalStandsIn: boolean,
): Revenue {
  let key = 'revenue';
  let raw = own(source as KmEventProperties, key);
  if (raw === undefined && totalStandsIn) {
    key = 'total';
    raw = own(source as KmEventProperties, key);
  }
  const amount = raw === undefined ? undefined : parseRevenue(raw);
  if (raw !== undefined && amount === undefined) {
    warn(
      context,
      'invalid_revenue',
      `${path}.${key}`,
      DEV &&
        `${key} is not an amount, so no ${BILLING_AMOUNT} was sent: send a number such as 19.99 (or text such as "$1,299.00")`,
    );
  }
  return { key, raw, amount };
}

/**
 * Cleans one row's properties into `into`. A `revenue` is named `<label><revenueSeparator>revenue`
 * when prefixing and the profile has one (RudderStack); its amount replaces the text and is also
 * written as Billing Amount: always, or only when prefixing (RudderStack). `skip` is left out (a
 * track's products).
 */
function writeRow(
  into: Properties,
  source: object,
  prefix: string,
  label: string,
  path: string,
  profile: MappingProfile,
  revenue?: Revenue,
  skip?: string,
  seeds?: readonly object[],
): void {
  const amount = revenue?.amount;
  const key = revenue?.key;
  flatten(
    into,
    source,
    prefix,
    path,
    {
      skip,
      replace: revenue?.raw === undefined ? undefined : key,
      value: amount ?? revenue?.raw,
      prefix:
        key === 'revenue' && prefix !== '' && profile.revenueSeparator !== undefined
          ? label + profile.revenueSeparator
          : undefined,
    },
    seeds,
  );
  if (amount !== undefined && (profile.billingAmountAlways || prefix !== '')) {
    // Through name(): a configured name limit may be shorter than "Billing Amount".
    const billing = into.name('', BILLING_AMOUNT, '', `${path}.${key}`);
    if (billing !== undefined) into.write(billing, amount, path, key);
  }
}

/**
 * Segment's `Page View` record: `Viewed URL` from the page's `url`, `Referrer` from its `referrer`,
 * else `Direct`. Values are cleaned without warnings: the page's own record reports them.
 */
function pageView(context: CleanContext, properties: KmEventProperties): Record<string, KmValue> {
  const text = (key: string) => {
    const value = own(properties, key);
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    return truncateCodePoints(wellFormed(value) ?? value, context.valueLength);
  };
  const url = text('url');
  const view: Record<string, KmValue> = url === undefined ? {} : { 'Viewed URL': url };
  // A configured value limit may be shorter than "Direct" too.
  view.Referrer = text('referrer') ?? truncateCodePoints('Direct', context.valueLength);
  return view;
}

function describeProduct(product: unknown): string {
  if (product === null) return 'null';
  return typeof product === 'object' ? 'an array' : withArticle(typeof product);
}
