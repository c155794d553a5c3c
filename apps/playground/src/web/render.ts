import type { KissmetricsPerson, ReceivedTrackingRequest } from '@kmkit/msw';
import { jsLiteral } from '../flow/call-text.js';
import { isoSeconds } from '../flow/clock.js';
import type { ClientEventLine } from './clients.js';

type Child = Node | string;

/** An element with a class, attributes and children (text is always text, never HTML). */
export function element(
  tag: string,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/**
 * Text whose words never break: browsers also break at hyphens (`my-userID`, a UUID), so each
 * word is an unbreakable span and lines wrap at spaces only.
 */
export function words(text: string): Child[] {
  return text
    .split(/(\s+)/)
    .filter((part) => part !== '')
    .map((part) => (/^\s/.test(part) ? part : element('span', { class: 'token' }, part)));
}

// As the CLI prints them: a value with a space, a quote or `=` in it is quoted.
function quoted(text: string): string {
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text;
}

// Longer than this, a value with spaces in it (a browser's User-Agent) wraps at its spaces.
const LONG_VALUE = 40;

/**
 * `key=value` pairs, each one unbreakable, separated by spaces: a log line wraps between pairs,
 * never inside one; only a long value with spaces wraps, at its spaces, each word whole.
 */
function pairs(values: Readonly<Record<string, unknown>>): Child[] {
  return Object.entries(values).flatMap(([key, value], index) => {
    const text = `${quoted(key)}=${quoted(String(value))}`;
    const long = String(value).length > LONG_VALUE && /\s/.test(String(value));
    return [
      ...(index === 0 ? [] : [' ']),
      long
        ? element('span', { class: 'long-pair' }, ...words(text))
        : element('span', { class: 'pair' }, text),
    ];
  });
}

/** A `_kmq` item as it was pushed, written as JavaScript; a function as what it is for. */
export function kmqItem(item: unknown): HTMLElement {
  const text =
    typeof item === 'function'
      ? 'function () { … } (runs once the library has loaded)'
      : jsLiteral(item);
  return element('li', {}, ...words(text));
}

/** One tracking request: method, path, decoded parameters (without `_k`) and what became of it. */
export function requestItem(request: ReceivedTrackingRequest): HTMLElement {
  const { _k, ...params } = request.params;
  return element(
    'li',
    { class: `request ${request.status}` },
    element('span', { class: 'path token' }, `${request.method} ${request.path}`),
    ' ',
    ...pairs(params),
    ' ',
    element(
      'span',
      { class: 'status token' },
      request.status === 'rejected'
        ? `rejected: ${request.reason}`
        : request.status === 'duplicate'
          ? 'duplicate (counted once)'
          : request.status,
    ),
  );
}

/** One line of the client events log. */
export function eventItem(line: ClientEventLine): HTMLElement {
  return element(
    'li',
    { class: `event ${line.event}` },
    element('span', { class: 'source' }, line.source),
    ' ',
    ...words(`${line.event}: ${line.text}`),
  );
}

/** Where a person's requests came from, as Kissmetrics received them: their `_ip` and `_ua`. */
export type RequestOrigin = Readonly<{ _ip?: string; _ua?: string }>;

/**
 * The distinct `_ip` and `_ua` of the accepted requests about `person` (a server sending for the
 * visitor adds them, as the relay does; Kissmetrics places and describes the visitor by them).
 */
export function sentFrom(
  person: KissmetricsPerson,
  requests: readonly ReceivedTrackingRequest[],
): RequestOrigin[] {
  const origins = new Map<string, RequestOrigin>();
  for (const { status, params } of requests) {
    if (status !== 'accepted' || !person.identities.includes(params._p ?? '')) continue;
    if (params._ip === undefined && params._ua === undefined) continue;
    const origin = {
      ...(params._ip === undefined ? {} : { _ip: params._ip }),
      ...(params._ua === undefined ? {} : { _ua: params._ua }),
    };
    origins.set(JSON.stringify(origin), origin);
  }
  return [...origins.values()];
}

/**
 * A Kissmetrics person as a timeline: identities, events with their times, properties, and the
 * addresses and browsers its requests came from when a server gave them. Events for which
 * `fresh` says so are marked, to draw the eye to what a call just added.
 */
export function personCard(
  person: KissmetricsPerson,
  labels: readonly string[],
  fresh: (event: KissmetricsPerson['events'][number]) => boolean = () => false,
  origins: readonly RequestOrigin[] = [],
): HTMLElement {
  const events = element('ol', { class: 'timeline' });
  for (const event of person.events) {
    events.append(
      element(
        'li',
        { 'data-testid': 'event', ...(fresh(event) ? { class: 'fresh' } : {}) },
        element('time', { class: 'token' }, isoSeconds(event.time)),
        ' ',
        element('strong', {}, ...words(event.name)),
        ...(Object.keys(event.properties).length === 0 ? [] : [' ', ...pairs(event.properties)]),
      ),
    );
  }
  if (person.events.length === 0) events.append(element('li', { class: 'hint' }, 'no events'));
  return element(
    'article',
    { class: 'person', 'data-testid': 'person' },
    element(
      'h3',
      { class: 'person-name' },
      ...labels.map((label) => element('span', { class: 'badge' }, label)),
      element('span', { 'data-testid': 'identities' }, ...words(person.identities.join(' ~ '))),
    ),
    events,
    element(
      'p',
      { class: 'properties' },
      element('span', { class: 'label' }, 'properties'),
      ' ',
      ...pairs(person.properties),
    ),
    ...origins.map((origin) =>
      element(
        'p',
        { class: 'properties', 'data-testid': 'sent-from' },
        element('span', { class: 'label' }, 'sent from'),
        ' ',
        ...pairs(origin),
      ),
    ),
  );
}
