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

/**
 * The records of Kissmetrics' automatic events for this page load (`Visited Site` once a visit,
 * `Search Engine Hit`, `Ad Campaign Hit`), as the Kissmetrics JS library records them, once per
 * document; none for the next client made in the same document. Records as they are, not mapped:
 * a preset must not rename them.
 */
export function pageLoadRecords(
  visits: VisitStorage,
  identity: Identity,
  now: number,
  option: AutoEventsOption | undefined,
): KmRecordCommand[] {
  const page = document as Document & { [JUDGED]?: true };
  if (page[JUDGED]) return [];
  page[JUDGED] = true;
  const { userId, anonymousId } = identity;
  const load = { url: location.href, referrer: document.referrer, now, identified: !!userId };
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
