import type { KissmetricsPerson, ReceivedTrackingRequest } from '@kmkit/msw';
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

function pairs(values: Readonly<Record<string, unknown>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('  ');
}

/** A `_kmq` item as it was pushed: a command array as JSON, a function as `function`. */
export function kmqItem(item: unknown): HTMLElement {
  const text =
    typeof item === 'function'
      ? 'function () { … } (run once the library has loaded)'
      : JSON.stringify(item);
  return element('li', {}, text);
}

/** One tracking request: method, path, decoded parameters (without `_k`) and what became of it. */
export function requestItem(request: ReceivedTrackingRequest): HTMLElement {
  const { _k, ...params } = request.params;
  return element(
    'li',
    { class: `request ${request.status}` },
    element('span', { class: 'path' }, `${request.method} ${request.path}`),
    ` ${pairs(params)} `,
    element(
      'span',
      { class: 'status' },
      request.status === 'rejected' ? `rejected: ${request.reason}` : request.status,
    ),
  );
}

/** One line of the client events log. */
export function eventItem(line: ClientEventLine): HTMLElement {
  return element(
    'li',
    { class: `event ${line.event}` },
    element('span', { class: 'mode' }, line.mode),
    ` ${line.event}: ${line.text}`,
  );
}

/** A Kissmetrics person as a timeline: identities, events with their times, properties. */
export function personCard(person: KissmetricsPerson, labels: readonly string[]): HTMLElement {
  const events = element('ol', { class: 'timeline' });
  for (const event of person.events) {
    events.append(
      element(
        'li',
        { 'data-testid': 'event' },
        element('time', {}, isoSeconds(event.time)),
        ' ',
        element('strong', {}, event.name),
        ` ${pairs(event.properties)}`,
      ),
    );
  }
  if (person.events.length === 0) events.append(element('li', { class: 'hint' }, 'no events'));
  return element(
    'article',
    { class: 'person', 'data-testid': 'person' },
    element(
      'h3',
      {},
      ...labels.map((label) => element('span', { class: 'badge' }, label)),
      element('span', { 'data-testid': 'identities' }, person.identities.join(' ~ ')),
    ),
    events,
    element('p', { class: 'properties' }, pairs(person.properties)),
  );
}
