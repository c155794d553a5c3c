import { expect, test } from 'vitest';
import { toImportRecord } from './import-record.js';

// Line shapes from Kissmetrics' JSON import documentation.
test('an event line has _p, _t, _n and typed properties', () => {
  const line = toImportRecord({
    type: 'record',
    person: '1',
    event: 'Subscribed',
    time: 1328044149,
    properties: { Age: 32 },
  });
  expect(line).toBe('{"_p":"1","_t":1328044149,"_n":"Subscribed","Age":32}');
});

test('an alias line has _p, _t and _p2', () => {
  expect(toImportRecord({ type: 'alias', person: '1', alias: 'bob', time: 1328044149 })).toBe(
    '{"_p":"1","_t":1328044149,"_p2":"bob"}',
  );
});

test('a set line has _p, _t and the properties', () => {
  expect(
    toImportRecord({ type: 'set', person: '1', time: 1328044149, properties: { Plan: 'Pro' } }),
  ).toBe('{"_p":"1","_t":1328044149,"Plan":"Pro"}');
});

test('a __proto__ property is written as an ordinary key', () => {
  const properties = JSON.parse('{"__proto__":1}');
  expect(toImportRecord({ type: 'set', person: '1', time: 2, properties })).toBe(
    '{"_p":"1","_t":2,"__proto__":1}',
  );
});

test('the import needs a person and a time, and names the missing field', () => {
  expect(() => toImportRecord({ type: 'set', person: '1', properties: {} })).toThrow(
    expect.objectContaining({ code: 'not_encodable', path: 'time' }),
  );
  expect(() => toImportRecord({ type: 'set', time: 1, properties: {} })).toThrow(
    expect.objectContaining({ code: 'not_encodable', path: 'person' }),
  );
});
