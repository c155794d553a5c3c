// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, queued, resetPage } from '../../test/dom.js';
import { createKissmetrics, trackPageViews } from '../device/index.js';

beforeEach(resetPage);

describe('trackPageViews', () => {
  it('records the page now and after each pushState or popstate that changes the URL', () => {
    history.replaceState(null, '', '/start');
    const stop = trackPageViews(createKissmetrics({ apiKey: API_KEY }));
    history.pushState(null, '', '/pricing?plan=pro');
    history.pushState(null, '', '/pricing?plan=pro');
    history.replaceState(null, '', '/start');
    window.dispatchEvent(new PopStateEvent('popstate'));
    stop();
    expect(queued()).toEqual([
      ['record', 'Loaded a Page', { url: 'https://site.test/start', path: '/start' }],
      [
        'record',
        'Loaded a Page',
        {
          url: 'https://site.test/pricing?plan=pro',
          path: '/pricing',
          search: '?plan=pro',
          referrer: 'https://site.test/start',
        },
      ],
      [
        'record',
        'Loaded a Page',
        {
          url: 'https://site.test/start',
          path: '/start',
          referrer: 'https://site.test/pricing?plan=pro',
        },
      ],
    ]);
  });

  it('records nothing more once stopped, and a client alone records no page view', () => {
    history.replaceState(null, '', '/one');
    const km = createKissmetrics({ apiKey: API_KEY });
    km.track('Opened');
    expect(queued()).toEqual([['record', 'Opened']]);
    const stop = trackPageViews(km);
    stop();
    history.pushState(null, '', '/two');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(queued()).toEqual([
      ['record', 'Opened'],
      ['record', 'Loaded a Page', { url: 'https://site.test/one', path: '/one' }],
    ]);
  });
});
