import { describe, expect, it } from 'vitest';
import { pageLoadEvents, SESSION_MS } from './page-load-events.js';

// Expectations from the Kissmetrics JS library's documented rules (reference/kissmetrics-protocol.md
// and Kissmetrics' "Events Automatically Tracked"), not from this code.
const NOW = Date.UTC(2024, 4, 1, 10, 0, 0);
const MINUTE = 60_000;
const LANDING =
  'https://shop.example/spring?utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale';

describe('the automatic events of a page load', () => {
  it('records Visited Site on a first visit, with URL and Referrer, and no Returning', () => {
    expect(
      pageLoadEvents({
        url: 'https://shop.example/',
        referrer: 'https://blog.example/post',
        now: NOW,
        lastActive: undefined,
      }),
    ).toEqual([
      {
        event: 'Visited Site',
        properties: { URL: 'https://shop.example/', Referrer: 'https://blog.example/post' },
      },
    ]);
  });

  it("says Referrer 'Direct' when there is none", () => {
    const [visit] = pageLoadEvents({
      url: 'https://shop.example/',
      referrer: '',
      now: NOW,
      lastActive: undefined,
    });
    expect(visit?.properties.Referrer).toBe('Direct');
  });

  it('records Visited Site once a visit: not again within 30 minutes of the last activity', () => {
    const load = { url: 'https://shop.example/', referrer: '', now: NOW };
    expect(pageLoadEvents({ ...load, lastActive: NOW - 29 * MINUTE })).toEqual([]);
    expect(pageLoadEvents({ ...load, lastActive: NOW - SESSION_MS + 1 })).toEqual([]);
  });

  it('starts a new visit after 30 minutes without activity, with Returning 1', () => {
    expect(
      pageLoadEvents({
        url: 'https://shop.example/',
        referrer: '',
        now: NOW,
        lastActive: NOW - 31 * MINUTE,
      }),
    ).toEqual([
      {
        event: 'Visited Site',
        properties: { URL: 'https://shop.example/', Referrer: 'Direct', Returning: 1 },
      },
    ]);
  });

  it('counts an identified visitor as returning on a first visit in this browser, as the library does', () => {
    const [visit] = pageLoadEvents({
      url: 'https://shop.example/',
      referrer: '',
      now: NOW,
      lastActive: undefined,
      identified: true,
    });
    expect(visit?.properties.Returning).toBe(1);
  });

  it('keeps a visit when the clock stepped back', () => {
    expect(
      pageLoadEvents({
        url: 'https://shop.example/',
        referrer: '',
        now: NOW,
        lastActive: NOW + 3_600_000,
      }),
    ).toEqual([]);
  });

  it('records Ad Campaign Hit for a landing URL with utm parameters, with the campaign properties and URL', () => {
    expect(
      pageLoadEvents({ url: LANDING, referrer: '', now: NOW, lastActive: NOW - MINUTE }),
    ).toEqual([
      {
        event: 'Ad Campaign Hit',
        properties: {
          'Campaign Source': 'newsletter',
          'Campaign Medium': 'email',
          'Campaign Name': 'spring sale',
          URL: LANDING,
        },
      },
    ]);
  });

  it('records Search Engine Hit for a search engine referrer, with the terms when the referrer has them', () => {
    const load = { url: 'https://shop.example/', now: NOW, lastActive: NOW - MINUTE };
    expect(
      pageLoadEvents({ ...load, referrer: 'https://www.bing.com/search?q=blue+shoes' }),
    ).toEqual([
      {
        event: 'Search Engine Hit',
        properties: { 'Search Engine': 'Bing', 'Search Terms': 'blue shoes' },
      },
    ]);
    // Google sends only its origin today.
    expect(pageLoadEvents({ ...load, referrer: 'https://www.google.com/' })).toEqual([
      { event: 'Search Engine Hit', properties: { 'Search Engine': 'Google' } },
    ]);
  });

  it('records a landing of a new visit in the order Visited Site, Search Engine Hit, Ad Campaign Hit', () => {
    const events = pageLoadEvents({
      url: `${LANDING}&utm_term=shoes&utm_content=banner`,
      referrer: 'https://duckduckgo.com/?q=spring+shoes',
      now: NOW,
      lastActive: undefined,
    });
    expect(events.map((e) => e.event)).toEqual([
      'Visited Site',
      'Search Engine Hit',
      'Ad Campaign Hit',
    ]);
    expect(events[2]?.properties).toMatchObject({
      'Campaign Terms': 'shoes',
      'Campaign Content': 'banner',
    });
  });

  it('treats a Google Ads click (gclid) as a campaign, not as organic search', () => {
    const url = 'https://shop.example/?gclid=EAIaIQobChMI';
    expect(
      pageLoadEvents({
        url,
        referrer: 'https://www.google.com/',
        now: NOW,
        lastActive: NOW - MINUTE,
      }),
    ).toEqual([{ event: 'Ad Campaign Hit', properties: { URL: url } }]);
  });

  it('judges the campaign and the search referrer on every page load, as the library does (a reload records them again)', () => {
    const load = { url: LANDING, referrer: 'https://www.google.com/', now: NOW };
    const first = pageLoadEvents({ ...load, lastActive: undefined });
    const reload = pageLoadEvents({ ...load, now: NOW + 5_000, lastActive: NOW });
    expect(first.map((e) => e.event)).toEqual([
      'Visited Site',
      'Search Engine Hit',
      'Ad Campaign Hit',
    ]);
    expect(reload.map((e) => e.event)).toEqual(['Search Engine Hit', 'Ad Campaign Hit']);
  });

  it('turns each event off as the KM_SKIP_* globals do, and all of them with false', () => {
    const load = {
      url: LANDING,
      referrer: 'https://www.google.com/search?q=shoes',
      now: NOW,
      lastActive: undefined,
    };
    const names = (option: Parameters<typeof pageLoadEvents>[1]) =>
      pageLoadEvents(load, option).map((e) => e.event);
    expect(names(undefined)).toEqual(['Visited Site', 'Search Engine Hit', 'Ad Campaign Hit']);
    expect(names({ visitedSite: false })).toEqual(['Search Engine Hit', 'Ad Campaign Hit']);
    expect(names({ searchEngineHit: false })).toEqual(['Visited Site', 'Ad Campaign Hit']);
    expect(names({ adCampaignHit: false })).toEqual(['Visited Site', 'Search Engine Hit']);
    expect(names(false)).toEqual([]);
  });

  it('cuts values to the 512 characters Kissmetrics keeps, without splitting a character', () => {
    const url = `https://shop.example/?utm_source=${'é'.repeat(20)}&x=${'😀'.repeat(600)}`;
    const [visit] = pageLoadEvents({ url, referrer: '', now: NOW, lastActive: undefined });
    const cut = visit?.properties.URL as string;
    expect(Array.from(cut)).toHaveLength(512);
    expect(url.startsWith(cut)).toBe(true);
  });

  it('records only Visited Site for an address it cannot read', () => {
    expect(
      pageLoadEvents({
        url: 'not a url?utm_source=x',
        referrer: 'nor this',
        now: NOW,
        lastActive: undefined,
      }),
    ).toEqual([
      {
        event: 'Visited Site',
        properties: { URL: 'not a url?utm_source=x', Referrer: 'nor this' },
      },
    ]);
  });
});
