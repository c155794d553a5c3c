import { describe, expect, test } from 'vitest';
import type { KmRecordCommand } from '../model/command.js';
import { mapEvent } from './map-event.js';

// Rule 4 (names) and rule 9 (prefixes) of DESIGN.md for pages and screens.
const T = 1714557600;

function view(
  type: 'page' | 'screen',
  fields: Record<string, unknown>,
  options?: Parameters<typeof mapEvent>[1],
) {
  const { commands } = mapEvent({ type, userId: 'u', timestamp: T, ...fields }, options);
  const record = commands[0] as KmRecordCommand;
  return { event: record.event, properties: { ...record.properties } };
}

describe('page and screen names', () => {
  test.each([
    ['page', { name: 'Pricing', category: 'Docs' }, 'Viewed Docs Pricing page'],
    ['page', { name: 'Pricing' }, 'Viewed Pricing page'],
    ['page', { category: 'Docs' }, 'Viewed Docs page'],
    ['page', {}, 'Loaded a Page'],
    ['page', { name: 'Pricing', properties: { category: 'Docs' } }, 'Viewed Docs Pricing page'],
    ['screen', { name: 'Cart', category: 'Shop' }, 'Viewed Shop Cart screen'],
    ['screen', { name: 'Cart' }, 'Viewed Cart screen'],
    ['screen', { category: 'Shop' }, 'Viewed Shop screen'],
    ['screen', {}, 'Loaded a Screen'],
  ] as const)('a %s with %j is recorded as "%s"', (type, fields, expected) => {
    expect(view(type, fields).event).toBe(expected);
  });

  test('trackNamedPages: false leaves the name out of the event name', () => {
    const options = { trackNamedPages: false };
    expect(view('page', { name: 'Pricing', category: 'Docs' }, options).event).toBe(
      'Viewed Docs page',
    );
    expect(view('page', { name: 'Pricing' }, options).event).toBe('Loaded a Page');
  });

  test('trackCategorizedPages: false leaves the category out of the event name', () => {
    const options = { trackCategorizedPages: false };
    expect(view('page', { name: 'Pricing', category: 'Docs' }, options).event).toBe(
      'Viewed Pricing page',
    );
    expect(view('screen', { category: 'Shop' }, options).event).toBe('Loaded a Screen');
  });

  test('a page is always recorded, even with both options off', () => {
    const options = { trackNamedPages: false, trackCategorizedPages: false };
    expect(view('page', { name: 'Pricing', category: 'Docs' }, options).event).toBe(
      'Loaded a Page',
    );
  });

  test('a page name that makes the event name pass 255 characters is refused', () => {
    expect(() => view('page', { name: 'n'.repeat(250) })).toThrow(
      expect.objectContaining({ code: 'name_too_long', path: 'name' }),
    );
    expect(() => view('page', { category: 'c'.repeat(250) })).toThrow(
      expect.objectContaining({ code: 'name_too_long', path: 'category' }),
    );
  });
});

describe('page and screen properties', () => {
  test('are the cleaned properties, category included', () => {
    expect(
      view('page', {
        name: 'Home',
        properties: { url: 'https://x.io/?a=1', category: 'Docs', meta: { lang: 'en' } },
      }).properties,
    ).toEqual({ url: 'https://x.io/?a=1', category: 'Docs', 'meta.lang': 'en' });
  });

  test('are prefixed "Page - " and "Screen - " when prefixing is on', () => {
    const options = { prefixProperties: true };
    expect(view('page', { properties: { url: 'u' } }, options).properties).toEqual({
      'Page - url': 'u',
    });
    expect(view('screen', { properties: { step: 2 } }, options).properties).toEqual({
      'Screen - step': 2,
    });
  });

  test('use prefixSeparator', () => {
    expect(
      view('page', { properties: { url: 'u' } }, { prefixProperties: true, prefixSeparator: ' / ' })
        .properties,
    ).toEqual({ 'Page / url': 'u' });
    // A separator with ":" comes out with a space there, as Kissmetrics would store it.
    expect(
      view('page', { properties: { url: 'u' } }, { prefixProperties: true, prefixSeparator: ': ' })
        .properties,
    ).toEqual({ 'Page  url': 'u' });
  });
});
