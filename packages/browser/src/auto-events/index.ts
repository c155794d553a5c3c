/**
 * Kissmetrics' automatic events for cloud mode: what the Kissmetrics JS library records on its own
 * (`Visited Site`, `Search Engine Hit`, `Ad Campaign Hit`), decided without touching the DOM.
 *
 * For the cloud client (once per page load, where `window` exists and storage is allowed):
 *
 * ```ts
 * const events = recordPageLoad(localStorage, {
 *   url: location.href, referrer: document.referrer, now: Date.now(), identified: userId !== undefined,
 * }, options.autoEvents); // AutoEventsOption: true (default) | false | { visitedSite?, adCampaignHit?, searchEngineHit? }
 * for (const { event, properties } of events) {
 *   // A `record` command as it is, not through mapEvent: a preset's prefixing must not rename these.
 *   enqueue({ type: 'record', person: currentIdentity, event, time: Math.floor(now / 1000), properties });
 * }
 * // On every tracked call afterwards: writeLastActive(localStorage, Date.now()).
 * ```
 *
 * `pageLoadEvents(load, option)` is the pure rule under `recordPageLoad`, for callers that keep
 * the last activity elsewhere.
 */
export { campaignHit } from './campaign.js';
export {
  type AutoEvent,
  type AutoEventsOption,
  type PageLoad,
  pageLoadEvents,
  SESSION_MS,
} from './page-load-events.js';
export { searchEngineHit } from './search-engine.js';
export {
  LAST_ACTIVE_KEY,
  readLastActive,
  recordPageLoad,
  type VisitStorage,
  writeLastActive,
} from './visit-session.js';
