import { describe, expect, test } from 'vitest';
import { orderCompleted } from '../../test/seed-messages.js';
import { toKmq } from '../encoding/kmq.js';
import { mapEvent } from './map-event.js';

// Rule 8 of DESIGN.md. 2024-05-01T10:00:00Z is 1714557600.
const T = 1714557600;

function spread(commands: readonly object[]) {
  return commands.map((command) =>
    'properties' in command
      ? { ...command, properties: { ...(command.properties as object) } }
      : command,
  );
}

describe('products', () => {
  test('the order is recorded without products, then one set per product at _t + index + 1', () => {
    const { commands, warnings } = mapEvent(orderCompleted);
    expect(spread(commands)).toEqual([
      {
        type: 'record',
        person: 'user-42',
        event: 'Order Completed',
        time: T,
        properties: {
          order_id: '50314b8e9bcf000000000000',
          total: 27.5,
          revenue: 25,
          currency: 'USD',
          'Billing Amount': 25,
        },
      },
      {
        type: 'set',
        person: 'user-42',
        time: T + 1,
        properties: {
          product_id: '507f1f77bcf86cd799439011',
          sku: '45790-32',
          name: 'Monopoly: 3rd Edition',
          price: 19,
          quantity: 1,
        },
      },
      {
        type: 'set',
        person: 'user-42',
        time: T + 2,
        properties: {
          product_id: '505bd76785ebb509fc183733',
          sku: '46493-32',
          name: 'Uno Card Game',
          price: 3,
          quantity: 2,
        },
      },
    ]);
    expect(warnings).toEqual([]);
  });

  test('product rows are prefixed "<event> - <key>" when prefixing is on', () => {
    const { commands } = mapEvent(orderCompleted, { prefixProperties: true });
    expect({ ...(commands[1] as { properties: object }).properties }).toEqual({
      'Order Completed - product_id': '507f1f77bcf86cd799439011',
      'Order Completed - sku': '45790-32',
      'Order Completed - name': 'Monopoly: 3rd Edition',
      'Order Completed - price': 19,
      'Order Completed - quantity': 1,
    });
  });

  test('in device mode product rows carry their own _t and _d for the JS library', () => {
    const { commands } = mapEvent(orderCompleted, { mode: 'device' });
    expect(commands.map(toKmq)).toEqual([
      [
        'record',
        'Order Completed',
        {
          order_id: '50314b8e9bcf000000000000',
          total: 27.5,
          revenue: 25,
          currency: 'USD',
          'Billing Amount': 25,
        },
      ],
      [
        'set',
        {
          product_id: '507f1f77bcf86cd799439011',
          sku: '45790-32',
          name: 'Monopoly: 3rd Edition',
          price: 19,
          quantity: 1,
          _t: T + 1,
          _d: 1,
        },
      ],
      [
        'set',
        {
          product_id: '505bd76785ebb509fc183733',
          sku: '46493-32',
          name: 'Uno Card Game',
          price: 3,
          quantity: 2,
          _t: T + 2,
          _d: 1,
        },
      ],
    ]);
  });

  test('any track with a products array gets product rows, not only orders', () => {
    const { commands } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'Product List Viewed',
      timestamp: T,
      properties: { list_id: 'l1', products: [{ sku: 'a' }] },
    });
    expect(spread(commands)).toEqual([
      {
        type: 'record',
        person: 'u',
        event: 'Product List Viewed',
        time: T,
        properties: { list_id: 'l1' },
      },
      { type: 'set', person: 'u', time: T + 1, properties: { sku: 'a' } },
    ]);
  });

  test('a product item that is not an object is skipped with invalid_product; the others go out', () => {
    const { commands, warnings } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'Order Completed',
      timestamp: T,
      properties: { products: [null, 'sku-1', { sku: 'b' }, [1], { sku: 'c' }] },
    });
    expect(commands.map((c) => ('time' in c ? c.time : undefined))).toEqual([T, T + 3, T + 5]);
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['invalid_product', 'properties.products[0]'],
      ['invalid_product', 'properties.products[1]'],
      ['invalid_product', 'properties.products[3]'],
    ]);
  });

  test('products that is not an array is reported and sent as an ordinary property', () => {
    const { commands, warnings } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'Order Completed',
      timestamp: T,
      properties: { order_id: 'o1', products: { sku: 'a' } },
    });
    expect(commands).toHaveLength(1);
    expect({ ...(commands[0] as { properties: object }).properties }).toEqual({
      order_id: 'o1',
      'products.sku': 'a',
    });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'invalid_products', path: 'properties.products' }),
    ]);
  });

  test('product values are cleaned like properties, with warnings on their product path', () => {
    const { commands, warnings } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'Order Completed',
      timestamp: T,
      properties: {
        products: [{ sku: 'a' }, { sku: 'b', price: Number.NaN, dims: { w: 2 }, _p: 'x' }],
      },
    });
    expect({ ...(commands[2] as { properties: object }).properties }).toEqual({
      sku: 'b',
      'dims.w': 2,
    });
    expect(warnings.map((w) => [w.code, w.path])).toEqual([
      ['non_finite_number', 'properties.products[1].price'],
      ['reserved_key', 'properties.products[1]._p'],
    ]);
  });

  test('an empty product object sends no row; an empty products array sends none', () => {
    const { commands, warnings } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'E',
      timestamp: T,
      properties: { products: [{}, { sku: 'x' }] },
    });
    expect(commands.map((c) => c.type)).toEqual(['record', 'set']);
    expect(warnings).toEqual([]);
    const none = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'E',
      timestamp: T,
      properties: { products: [] },
    });
    expect(none.commands).toHaveLength(1);
  });

  test('a product that refers back to the order is cut as a cycle', () => {
    const properties: Record<string, unknown> = { order_id: 'o1' };
    properties.products = [{ sku: 'a', order: properties }];
    const { commands, warnings } = mapEvent({
      type: 'track',
      userId: 'u',
      event: 'E',
      timestamp: T,
      properties,
    });
    expect({ ...(commands[1] as { properties: object }).properties }).toEqual({ sku: 'a' });
    expect(warnings[0]).toMatchObject({
      code: 'circular_reference',
      path: 'properties.products[0].order',
    });
  });
});
