import type { PageNaming } from './profile.js';

/** The event name of a page or screen view, and which input field it was built from. */
export interface PageEventName {
  readonly event: string;
  /** `name`, `category` or `undefined` (the fixed `Loaded a ...` names), for errors. */
  readonly from: 'name' | 'category' | undefined;
}

/**
 * Names a page or screen view the way the chosen profile does.
 *
 * - default: `Viewed <category> <name> page`, `Viewed <name> page`, `Viewed <category> page`,
 *   else `Loaded a Page` (screens: `screen` / `Loaded a Screen`).
 * - rudderstack: `Viewed <category> <name> page` (for screens too), `Viewed <name> page|screen`,
 *   else `Loaded a Page|Screen` (a category alone is not used).
 * - segment: `Viewed <name or category> Page|Screen` (the name wins), else `Loaded a Page|Screen`.
 *
 * `name` and `category` are passed as `undefined` when the options turn them off.
 */
export function pageEventName(
  kind: 'page' | 'screen',
  name: string | undefined,
  category: string | undefined,
  naming: PageNaming,
): PageEventName {
  const fallback = kind === 'page' ? 'Loaded a Page' : 'Loaded a Screen';
  if (naming === 'segment') {
    const label = name ?? category;
    if (label === undefined) return { event: fallback, from: undefined };
    return {
      event: `Viewed ${label} ${kind === 'page' ? 'Page' : 'Screen'}`,
      from: name === undefined ? 'category' : 'name',
    };
  }
  if (name !== undefined) {
    if (category !== undefined) {
      // RudderStack's cloud transform names a categorised screen "... page" too.
      const word = naming === 'rudderstack' ? 'page' : kind;
      return { event: `Viewed ${category} ${name} ${word}`, from: 'name' };
    }
    return { event: `Viewed ${name} ${kind}`, from: 'name' };
  }
  if (category !== undefined && naming === 'default') {
    return { event: `Viewed ${category} ${kind}`, from: 'category' };
  }
  return { event: fallback, from: undefined };
}
