import type { KmRecordCommand } from '@kmkit/core';
import {
  type AutoEventsOption,
  recordPageLoad,
  type VisitStorage,
  writeLastActive,
} from '../auto-events/index.js';
import { readCookie, writeCookie } from '../identity/cookies.js';
import type { Identity } from '../identity/identity-store.js';

// Marks a document whose page load was judged: a second client (another bundle, a hot reload)
// records nothing more. On the document, which lives exactly as long as the page load.
const JUDGED = Symbol.for('kmkit.pageLoadJudged');

/** Where the visit record lives: the client's storage, else a first-party cookie. */
export const visitStorage = (storage: Storage | undefined): VisitStorage =>
  storage ?? { getItem: (key) => readCookie(key) ?? null, setItem: writeCookie };

/** The page as it was loaded: its URL and referrer, read when the client is made. */
export interface Landing {
  readonly url: string;
  readonly referrer: string;
}

/** The page as it is now: read when the client is made, before a router rewrites the URL. */
export const landing = (): Landing => ({ url: location.href, referrer: document.referrer });

/**
 * The records of Kissmetrics' automatic events for this page load (`Visited Site` once a visit,
 * `Search Engine Hit`, `Ad Campaign Hit`), as the Kissmetrics JS library records them, once per
 * document; none for the next client made in the same document. Records as they are, not mapped:
 * a preset must not rename them. `now` and `page` are the page load's, also when consent came later.
 */
export function pageLoadRecords(
  visits: VisitStorage,
  identity: Identity,
  now: number,
  option: AutoEventsOption | undefined,
  page: Landing,
): KmRecordCommand[] {
  const judged = document as Document & { [JUDGED]?: true };
  if (judged[JUDGED]) return [];
  judged[JUDGED] = true;
  const { userId, anonymousId } = identity;
  const load = { ...page, now, identified: !!userId };
  return recordPageLoad(visits, load, option).map(({ event, properties }) => ({
    type: 'record',
    person: userId ?? anonymousId,
    event,
    time: Math.floor(now / 1000),
    properties,
  }));
}

/** Every tracked call is activity: the visit goes on for another 30 minutes. */
export { writeLastActive as touchVisit };
