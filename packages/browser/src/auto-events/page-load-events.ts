import { campaignHit } from './campaign.js';
import { searchEngineHit } from './search-engine.js';

/**
 * Which automatic events cloud mode records, as the Kissmetrics JS library does: all on by default
 * (the library's default), `false` for none, or an object where `false` turns one off, as the
 * library's globals do: `visitedSite` (`KM_SKIP_VISITED_SITE`), `adCampaignHit` (`KM_SKIP_UTM`),
 * `searchEngineHit` (`KM_SKIP_SEARCH_ENGINE`).
 */
export type AutoEventsOption =
  | boolean
  | {
      readonly visitedSite?: boolean;
      readonly adCampaignHit?: boolean;
      readonly searchEngineHit?: boolean;
    };

/** What a page load is judged on; read from the document by the caller. */
export interface PageLoad {
  /** The page's address (`location.href`). */
  readonly url: string;
  /** `document.referrer`: `''` when there is none. */
  readonly referrer: string;
  /** The clock, in ms. */
  readonly now: number;
  /**
   * When this browser was last active (ms: a page load or a tracked call), from the session
   * record; `undefined` on a first visit.
   */
  readonly lastActive: number | undefined;
  /** A named identity is known: the library counts the visitor as returning. */
  readonly identified?: boolean;
}

/** One automatic event: a `record` of `event` with `properties`, for the current identity. */
export interface AutoEvent {
  readonly event: 'Visited Site' | 'Search Engine Hit' | 'Ad Campaign Hit';
  readonly properties: Readonly<Record<string, string | number>>;
}

/** A visit lasts until 30 minutes pass without activity, as the library's `km_vs` cookie does. */
export const SESSION_MS = 30 * 60 * 1000;

/** Kissmetrics keeps 512 characters of a value; longer URLs are cut rather than refused. */
const VALUE_LENGTH = 512;

const readUrl = (text: string): URL | undefined => {
  try {
    return text ? new URL(text) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The automatic events of one page load, in the order the Kissmetrics JS library records them:
 *
 * - `Visited Site` when a visit starts (no activity in the last 30 minutes): `URL`, `Referrer`
 *   (`Direct` when there is none) and, when the browser was seen before or the visitor is
 *   identified, `Returning: 1`;
 * - `Search Engine Hit` when the referrer is a search engine's page: `Search Engine` and, when
 *   present, `Search Terms` (not for a Google Ads click, `gclid`, which is no organic search);
 * - `Ad Campaign Hit` when the URL carries `utm_*` parameters or a `gclid`: the campaign
 *   properties and `URL`.
 *
 * As in the library, the campaign and search hits are judged on every page load (a reload of a
 * tagged landing page records them again) and `Visited Site` once a visit. Pure: the caller
 * stores `now` as the new `lastActive` after this, and after every tracked call.
 */
export function pageLoadEvents(load: PageLoad, option: AutoEventsOption = true): AutoEvent[] {
  if (option === false) return [];
  const on = (name: 'visitedSite' | 'adCampaignHit' | 'searchEngineHit') =>
    option === true || option[name] !== false;
  const { lastActive } = load;
  const url = readUrl(load.url);
  const referrer = readUrl(load.referrer);
  const events: AutoEvent[] = [];
  const add = (event: AutoEvent['event'], properties: Record<string, string | number>) => {
    for (const key in properties) {
      const value = properties[key];
      if (typeof value === 'string') {
        properties[key] = Array.from(value).slice(0, VALUE_LENGTH).join('');
      }
    }
    events.push({ event, properties });
  };
  if (on('visitedSite') && (lastActive === undefined || load.now - lastActive >= SESSION_MS)) {
    const visit: Record<string, string | number> = {
      URL: load.url,
      Referrer: load.referrer || 'Direct',
    };
    if (lastActive !== undefined || load.identified) visit.Returning = 1;
    add('Visited Site', visit);
  }
  const search = on('searchEngineHit') ? searchEngineHit(referrer) : undefined;
  if (search !== undefined && !url?.searchParams.get('gclid')) add('Search Engine Hit', search);
  const campaign = on('adCampaignHit') ? campaignHit(url, load.url) : undefined;
  if (campaign !== undefined) add('Ad Campaign Hit', campaign);
  return events;
}
