import type { KmEventProperties } from '../model/event.js';
import { wellFormed } from '../model/limits.js';
import type { MappingPreset } from './profile.js';

/**
 * A page's or screen's category as RudderStack reads it: `properties.category` only (non-blank text
 * or a finite number), whatever the top-level `category` says. A lone surrogate becomes U+FFFD
 * (the property itself is reported when the properties are cleaned).
 */
export function propertiesCategory(properties: KmEventProperties): string | undefined {
  let value: unknown;
  try {
    value = properties.category;
  } catch {
    // A throwing getter is reported when the properties are cleaned.
    return undefined;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return wellFormed(value) ?? value;
}

/**
 * The event name of a page or screen view, and the input field it was built from (for errors).
 *
 * - default: `Viewed <category> <name> page`, `Viewed <name> page`, `Viewed <category> page`,
 *   else `Loaded a Page` (screens: `screen` / `Loaded a Screen`).
 * - rudderstack: `Viewed <category> <name> page` (for screens too), `Viewed <name> page|screen`,
 *   else `Loaded a Page|Screen` (a category alone is not used).
 * - segment: `Viewed <name or category> Page|Screen` (the name wins), else `Loaded a Page|Screen`.
 *
 * `name` and `category` are `undefined` when the options turn them off.
 */
export function pageEventName(
  kind: 'page' | 'screen',
  name: string | undefined,
  category: string | undefined,
  preset: MappingPreset,
): [event: string, from: 'name' | 'category' | undefined] {
  const Kind = kind === 'page' ? 'Page' : 'Screen';
  if (preset === 'segment') {
    if (name !== undefined) return [`Viewed ${name} ${Kind}`, 'name'];
    if (category !== undefined) return [`Viewed ${category} ${Kind}`, 'category'];
  } else if (name !== undefined) {
    // RudderStack's cloud transform names a categorised screen "... page" too.
    if (category !== undefined) {
      return [`Viewed ${category} ${name} ${preset === 'rudderstack' ? 'page' : kind}`, 'name'];
    }
    return [`Viewed ${name} ${kind}`, 'name'];
  } else if (category !== undefined && preset === 'default') {
    return [`Viewed ${category} ${kind}`, 'category'];
  }
  return [`Loaded a ${Kind}`, undefined];
}
