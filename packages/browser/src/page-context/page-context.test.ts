// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, queued, resetPage } from '../../test/dom.js';
import { createKissmetrics } from '../device/index.js';

beforeEach(() => {
  resetPage();
  history.replaceState(null, '', '/docs/install?ref=nav');
  document.title = 'Install kmkit';
});

describe('page context on page(), as RudderStack and Segment add it', () => {
  it('adds url, path, search and title from the document (an empty referrer says nothing)', () => {
    createKissmetrics({ apiKey: API_KEY }).page('Docs', 'Install');
    expect(queued()).toEqual([
      [
        'record',
        'Viewed Docs Install page',
        {
          url: 'https://site.test/docs/install?ref=nav',
          path: '/docs/install',
          search: '?ref=nav',
          title: 'Install kmkit',
        },
      ],
    ]);
  });

  it('lets the values the caller passes win, and null leave one out', () => {
    createKissmetrics({ apiKey: API_KEY }).page({ path: '/virtual', title: null, plan: 'pro' });
    expect(queued()).toEqual([
      [
        'record',
        'Loaded a Page',
        {
          url: 'https://site.test/docs/install?ref=nav',
          path: '/virtual',
          search: '?ref=nav',
          plan: 'pro',
        },
      ],
    ]);
  });

  it('is named like any page property by the presets (Segment prefixes page properties)', () => {
    createKissmetrics({ apiKey: API_KEY, preset: 'segment', pageContext: true }).page('Install');
    const [record] = queued().filter((item) => (item as unknown[])[1] === 'Viewed Install Page');
    expect(record).toEqual([
      'record',
      'Viewed Install Page',
      {
        'Page - url': 'https://site.test/docs/install?ref=nav',
        'Page - path': '/docs/install',
        'Page - search': '?ref=nav',
        'Page - title': 'Install kmkit',
      },
    ]);
  });

  it('is left out with pageContext: false, and never added to screen() or send()', () => {
    const km = createKissmetrics({ apiKey: API_KEY, pageContext: false });
    km.page('Install');
    const withContext = createKissmetrics({ apiKey: API_KEY });
    withContext.screen('Settings');
    withContext.send({ type: 'page', name: 'Sent' });
    expect(queued()).toEqual([
      ['record', 'Viewed Install page'],
      ['record', 'Viewed Settings screen'],
      ['record', 'Viewed Sent page'],
    ]);
  });

  it('leaves properties that are not an object to the mapping, which reports them', () => {
    const km = createKissmetrics({ apiKey: API_KEY });
    const warnings: string[] = [];
    km.on('warning', (warning) =>
      warnings.push(`${warning.code} ${'path' in warning ? warning.path : ''}`),
    );
    km.page('Docs', 'Odd', 'text' as never);
    expect(queued()).toEqual([['record', 'Viewed Docs Odd page']]);
    expect(warnings).toEqual(['invalid_field properties']);
  });
});
