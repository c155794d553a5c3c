import { expect, test } from 'vitest';
import { toKmq } from './kmq.js';

// The `_kmq` shapes come from the Kissmetrics JS library and the RudderStack documentation.
test('identify and set come out as the JS library expects', () => {
  expect(toKmq({ type: 'identify', person: 'my-userID' })).toEqual(['identify', 'my-userID']);
  expect(toKmq({ type: 'set', properties: { name: 'Tintin', city: 'Brussels' } })).toEqual([
    'set',
    { name: 'Tintin', city: 'Brussels' },
  ]);
});

test('record carries its name and properties, and omits empty properties', () => {
  expect(toKmq({ type: 'record', event: 'Track me', properties: { label: 'label' } })).toEqual([
    'record',
    'Track me',
    { label: 'label' },
  ]);
  expect(toKmq({ type: 'record', event: 'Signed Up', properties: {} })).toEqual([
    'record',
    'Signed Up',
  ]);
});

test('alias puts the new identity first, as in ["alias", userId, previousId]', () => {
  expect(toKmq({ type: 'alias', person: 'my-userID', alias: 'my-new-userID' })).toEqual([
    'alias',
    'my-new-userID',
    'my-userID',
  ]);
});

test('a command with a time carries _t and _d: 1 inside its properties, without changing the command', () => {
  const properties = { sku: 'A-1' };
  expect(toKmq({ type: 'set', time: 1700000001, properties })).toEqual([
    'set',
    { sku: 'A-1', _t: 1700000001, _d: 1 },
  ]);
  expect(properties).toEqual({ sku: 'A-1' });
});

test('clearIdentity is a bare command', () => {
  expect(toKmq({ type: 'clearIdentity' })).toEqual(['clearIdentity']);
});
