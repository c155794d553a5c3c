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
