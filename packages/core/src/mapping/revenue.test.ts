import { describe, expect, test } from 'vitest';
import type { KmRecordCommand } from '../model/command.js';
import { mapEvent } from './map-event.js';

// Rule 7 of DESIGN.md: revenue, Billing Amount, and the order total fallback.
function track(event: string, properties: unknown, options?: Parameters<typeof mapEvent>[1]) {
  const { commands, warnings } = mapEvent(
    { type: 'track', userId: 'u', event, timestamp: 1714557600, properties },
    options,
  );
  return { properties: { ...(commands[0] as KmRecordCommand).properties }, warnings };
}

describe('revenue', () => {
  test('a numeric revenue also writes Billing Amount', () => {
    expect(track('Upgraded', { revenue: 49.5 })).toEqual({
      properties: { revenue: 49.5, 'Billing Amount': 49.5 },
      warnings: [],
    });
  });

  test.each([
    ['$19.99', 19.99],
    ['1,299.00', 1299],
    ['$ 1,234,567.89', 1234567.89],
    ['-5', -5],
    ['-$5.00', -5],
    ['€12', 12],
    ['12 €', 12],
    ['£0.50', 0.5],
    [' 7 ', 7],
    ['.5', 0.5],
  ])('the text %j is replaced by the number %d', (text, amount) => {
    expect(track('Paid', { revenue: text }).properties).toEqual({
      revenue: amount,
      'Billing Amount': amount,
    });
  });

  test('0 and negative amounts (refunds) are amounts', () => {
    expect(track('Refunded', { revenue: -20 }).properties).toEqual({
      revenue: -20,
      'Billing Amount': -20,
    });
    expect(track('Free', { revenue: 0 }).properties).toEqual({ revenue: 0, 'Billing Amount': 0 });
  });

  test.each([['19,99'], ['1,2345'], ['abc'], ['$'], ['1.2.3'], ['12 USD']])(
    'the text %j is kept as text with invalid_revenue and no Billing Amount',
    (text) => {
      const { properties, warnings } = track('Paid', { revenue: text });
      expect(properties).toEqual({ revenue: text });
      expect(warnings).toEqual([
        expect.objectContaining({ code: 'invalid_revenue', path: 'properties.revenue' }),
      ]);
    },
  );

  test('a revenue that is not a number or text is reported and cleaned like any value', () => {
    const { properties, warnings } = track('Paid', { revenue: { amount: 5 } });
    expect(properties).toEqual({ 'revenue.amount': 5 });
    expect(warnings.map((w) => w.code)).toEqual(['invalid_revenue']);
  });

  test('Billing Amount is never prefixed, while revenue is', () => {
    expect(
      track('Paid', { revenue: '$5', plan: 'x' }, { prefixProperties: true }).properties,
    ).toEqual({ 'Paid - revenue': 5, 'Paid - plan': 'x', 'Billing Amount': 5 });
  });

  test('only the top-level revenue counts', () => {
    expect(track('Paid', { order: { revenue: '$5' } })).toEqual({
      properties: { 'order.revenue': '$5' },
      warnings: [],
    });
  });

  test('Billing Amount given by the caller is replaced by the one from revenue, with a warning', () => {
    const { properties, warnings } = track('Paid', { 'billing amount': 1, revenue: 2 });
    expect(properties).toEqual({ revenue: 2, 'Billing Amount': 2 });
    expect(warnings.map((w) => w.code)).toEqual(['key_collision']);
  });

  test('page properties named revenue are not revenue', () => {
    const { commands } = mapEvent({
      type: 'page',
      userId: 'u',
      timestamp: 1,
      properties: { revenue: '$5' },
    });
    expect((commands[0] as KmRecordCommand).properties).toEqual({ revenue: '$5' });
  });
});

describe('order total fallback', () => {
  test.each([
    ['Order Completed'],
    ['Completed Order'],
    ['order completed'],
    ['ORDER_COMPLETED'],
    ['completed_order'],
  ])('%s without revenue uses total for Billing Amount', (event) => {
    expect(track(event, { total: '$27.50', tax: 2 }).properties).toEqual({
      total: 27.5,
      tax: 2,
      'Billing Amount': 27.5,
    });
  });

  test('revenue wins over total', () => {
    expect(track('Order Completed', { total: 30, revenue: 25 }).properties).toEqual({
      total: 30,
      revenue: 25,
      'Billing Amount': 25,
    });
  });

  test('other events do not fall back to total', () => {
    expect(track('Checkout Started', { total: 30 }).properties).toEqual({ total: 30 });
    expect(track('Order Completed Email Sent', { total: 30 }).properties).toEqual({ total: 30 });
  });

  test('an unreadable total is kept as text with invalid_revenue at properties.total', () => {
    const { properties, warnings } = track('Order Completed', { total: 'n/a' });
    expect(properties).toEqual({ total: 'n/a' });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'invalid_revenue', path: 'properties.total' }),
    ]);
  });
});
