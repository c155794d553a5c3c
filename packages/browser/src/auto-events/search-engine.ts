/**
 * Search engines by host (after a leading `www.`) and the query parameter holding the terms. The
 * Kissmetrics JS library's own list named engines of its day (MSN, Live, AltaVista...); these are
 * today's, under the same property names.
 */
const ENGINES: readonly (readonly [name: string, host: RegExp, terms: string])[] = [
  ['Google', /^google\.[a-z]{2,3}(\.[a-z]{2})?$/, 'q'],
  ['Bing', /^(cn\.)?bing\.com$/, 'q'],
  ['Yahoo', /^([a-z]{2}\.)?search\.yahoo\.(com|co\.jp)$/, 'p'],
  ['DuckDuckGo', /^((html|lite)\.)?duckduckgo\.com$/, 'q'],
  ['Baidu', /^(m\.)?baidu\.com$/, 'wd'],
  ['Yandex', /^yandex\.[a-z]{2,3}$/, 'text'],
  ['Ecosia', /^ecosia\.org$/, 'q'],
  ['Ask', /^ask\.com$/, 'q'],
  ['AOL', /^search\.aol\.com$/, 'q'],
  ['Naver', /^search\.naver\.com$/, 'query'],
];

/**
 * The properties of `Search Engine Hit` for a referrer that is a search engine's page:
 * `Search Engine` (its name) and, when the referrer still carries them, `Search Terms`. Otherwise
 * `undefined`.
 */
export function searchEngineHit(referrer: URL | undefined): Record<string, string> | undefined {
  if (referrer === undefined) return undefined;
  const host = referrer.hostname.replace(/^www\./, '');
  for (const [name, pattern, param] of ENGINES) {
    if (!pattern.test(host)) continue;
    const terms = referrer.searchParams.get(param);
    return terms ? { 'Search Engine': name, 'Search Terms': terms } : { 'Search Engine': name };
  }
  return undefined;
}
