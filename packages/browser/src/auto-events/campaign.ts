/** The landing URL's campaign parameters and the Kissmetrics JS library's names for them. */
const CAMPAIGN: readonly (readonly [param: string, property: string])[] = [
  ['utm_source', 'Campaign Source'],
  ['utm_medium', 'Campaign Medium'],
  ['utm_campaign', 'Campaign Name'],
  ['utm_term', 'Campaign Terms'],
  ['utm_content', 'Campaign Content'],
];

/**
 * The properties of `Ad Campaign Hit` for a landing URL tagged with `utm_*` parameters or a Google
 * Ads `gclid`, or `undefined` for an untagged (or unreadable) URL: `Campaign Source`,
 * `Campaign Medium`, `Campaign Name`, `Campaign Terms`, `Campaign Content` (those present,
 * decoded), and `URL` as the page gave it.
 */
export function campaignHit(
  url: URL | undefined,
  href: string,
): Record<string, string> | undefined {
  if (url === undefined) return undefined;
  const params = url.searchParams;
  const properties: Record<string, string> = {};
  for (const [param, property] of CAMPAIGN) {
    const value = params.get(param);
    if (value) properties[property] = value;
  }
  if (Object.keys(properties).length === 0 && !params.get('gclid')) return undefined;
  properties.URL = href;
  return properties;
}
