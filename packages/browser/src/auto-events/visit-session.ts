import {
  type AutoEvent,
  type AutoEventsOption,
  type PageLoad,
  pageLoadEvents,
} from './page-load-events.js';

/** What the visit record is kept in: `localStorage`, or anything with the same two methods. */
export interface VisitStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The storage key of the visit record: when this browser was last active, in ms. */
export const LAST_ACTIVE_KEY = 'kmkit_last_active';

/** When this browser was last active (ms), or `undefined` when unknown or unreadable. */
export function readLastActive(storage: VisitStorage): number | undefined {
  try {
    const value = Number(storage.getItem(LAST_ACTIVE_KEY) ?? Number.NaN);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    // Storage that throws (private mode, blocked cookies) knows no earlier visit.
    return undefined;
  }
}

/** Stores `now` as the last activity: after a page load and after every tracked call. */
export function writeLastActive(storage: VisitStorage, now: number): void {
  try {
    storage.setItem(LAST_ACTIVE_KEY, String(now));
  } catch {
    // A full or blocked storage loses only the visit boundary: the next load starts a visit.
  }
}

/**
 * The automatic events of a page load (see `pageLoadEvents`), judged against the visit record in
 * `storage`, which it then updates. Call it once per page load.
 */
export function recordPageLoad(
  storage: VisitStorage,
  load: Omit<PageLoad, 'lastActive'>,
  option?: AutoEventsOption,
): AutoEvent[] {
  const events = pageLoadEvents({ ...load, lastActive: readLastActive(storage) }, option);
  writeLastActive(storage, load.now);
  return events;
}
