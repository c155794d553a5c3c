import type { KmEvent, KmEventProperties } from '../model/event.js';

/**
 * A copy of a track, page or screen event with `extra` properties added; the event's own
 * properties win over `extra` (enrichment never overwrites what the caller said). Other event
 * kinds, which have no properties, are returned as they are. Neither input is changed.
 *
 * @example
 * ```ts
 * const attribution: KmPlugin = {
 *   name: 'attribution',
 *   type: 'enrichment',
 *   process: (event) => withProperties(event, { 'Campaign Source': 'newsletter' }),
 * };
 * ```
 */
export function withProperties<T extends KmEvent>(event: T, extra: KmEventProperties): T {
  if (event.type !== 'track' && event.type !== 'page' && event.type !== 'screen') return event;
  // Spread defines own properties, so a "__proto__" key stays an ordinary key.
  return { ...event, properties: { ...extra, ...event.properties } };
}
