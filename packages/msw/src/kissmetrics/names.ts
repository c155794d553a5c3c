/**
 * A name as Kissmetrics stores it: commas and colons become spaces (`foo:bar,baz` -> `foo bar baz`).
 * Applies to event names, property names and identities.
 */
export function toKissmetricsName(name: string): string {
  return name.replace(/[,:]/g, ' ');
}

/** The key Kissmetrics compares event and property names by: case-insensitive after {@link toKissmetricsName}. */
export function kissmetricsNameKey(name: string): string {
  return toKissmetricsName(name).toLowerCase();
}

/** Length in characters (code points), the unit of Kissmetrics' 255 and 512 limits. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
