import { expect, test } from 'vitest';
import { seedAlias, seedIdentify, seedPage, seedTrack } from '../../test/seed-messages.js';
import { toKmq } from '../encoding/kmq.js';
import { mapEvent } from './map-event.js';

// Expected arrays are copied from RudderStack's Kissmetrics documentation (the seed).
function kmq(message: unknown) {
  return mapEvent(message, { mode: 'device' }).commands.map(toKmq);
}

test('identify pushes identify then set with the traits, as in the seed', () => {
  expect(kmq(seedIdentify)).toEqual([
    ['identify', 'my-userID'],
    ['set', { name: 'Tintin', city: 'Brussels', country: 'Belgium', email: 'tintin@herge.com' }],
  ]);
});

test('page "home" records "Viewed home page" with its properties, as in the seed', () => {
  expect(kmq(seedPage)).toEqual([
    [
      'record',
      'Viewed home page',
      { path: 'path', url: 'url', title: 'title', search: 'search', referrer: 'referrer' },
    ],
  ]);
});

test('track "Track me" records the event with its properties, as in the seed', () => {
  expect(kmq(seedTrack)).toEqual([
    ['record', 'Track me', { category: 'category', label: 'label', value: 'value' }],
  ]);
});

test('alias pushes the new id first and the previous one second, as in the seed', () => {
  expect(kmq(seedAlias)).toEqual([['alias', 'my-new-userID', 'my-userID']]);
});

test('the seed examples keep their property order and carry no _t, _d or _p', () => {
  const [, set] = kmq(seedIdentify);
  expect(Object.keys(set![1] as object)).toEqual(['name', 'city', 'country', 'email']);
  const [record] = kmq(seedPage);
  expect(Object.keys(record![2] as object)).toEqual(['path', 'url', 'title', 'search', 'referrer']);
});

test('device-mode properties are ordinary objects the Kissmetrics JS library can use', () => {
  const [record] = kmq(seedTrack);
  const properties = record![2] as Record<string, unknown>;
  expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
  expect(Object.hasOwn(properties, 'label')).toBe(true);
});
