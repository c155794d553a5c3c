import { createKissmetricsEmulator } from '@kmkit/msw';
import { createKissmetrics } from '@kmkit/node';
import { callNodeClient, deviceCommands } from '../clients/index.js';
import {
  type Call,
  type Check,
  check,
  checkEqual,
  createFlowClock,
  type Flow,
  isoSeconds,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { interceptedFetch } from '../network/index.js';

const API_KEY = 'playground-key';
const CUSTOMER = 'tintin@herge.com';

const TIBET = { sku: 'TT-20', name: 'Tintin in Tibet', price: 24.95, quantity: 1 };
const LOTUS = { sku: 'TT-05', name: 'The Blue Lotus', price: 17.5, quantity: 2 };
const MOON = { sku: 'TT-16', name: 'Destination Moon', price: 12, quantity: 1 };

/** Flow 2: orders with products and revenue, then a refund. */
export const ecommerce: Flow = {
  name: 'ecommerce',
  title: 'An e-commerce order with products and revenue (Billing Amount, one product row each)',
  async run(context) {
    const clock = createFlowClock(context.start);
    const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
    context.network.use(...km.handlers);
    // One request at a time, so the list below reads in call order.
    const client = createKissmetrics({ apiKey: API_KEY, fetch: interceptedFetch, concurrency: 1 });

    const timestamp = () => new Date(clock.now()).toISOString();
    const firstOrderAt = clock.seconds();
    const firstOrder = {
      userId: CUSTOMER,
      event: 'Order Completed',
      timestamp: timestamp(),
      // Text with a currency symbol, as many shops send it: 24.95 + 2 x 17.50.
      properties: {
        order_id: 'A-1001',
        revenue: '$59.95',
        currency: 'EUR',
        products: [TIBET, LOTUS],
      },
    };
    clock.advance(24 * 3_600_000);
    const secondOrderAt = clock.seconds();
    const secondOrder = {
      userId: CUSTOMER,
      event: 'Order Completed',
      timestamp: timestamp(),
      // No revenue: for an order-completed event the total stands in.
      properties: { order_id: 'A-1002', total: 12, currency: 'EUR', products: [MOON] },
    };
    clock.advance(3_600_000);
    const refundAt = clock.seconds();
    const refund = {
      userId: CUSTOMER,
      event: 'Order Refunded',
      timestamp: timestamp(),
      properties: { order_id: 'A-1001', revenue: -17.5, reason: 'damaged' },
    };

    const calls: Call[] = [firstOrder, secondOrder, refund].map((message) =>
      callNodeClient(client, 'track', message),
    );
    const closed = await client.close();
    const kmq = deviceCommands({ type: 'track', ...firstOrder });
    const requests = km.requests().map(toRequestView);
    const people = km.people().map(toPerson);
    const skuRows = km.propertyHistory(CUSTOMER, 'sku');

    // Expectations from the mapping rules (revenue -> Billing Amount; products -> one /s each at
    // the order's _t + index + 1; total stands in for an order-completed event without revenue).
    const checks: Check[] = [
      checkEqual(
        'each order is one /e without its products, then one /s per product; the refund one /e',
        requests.map((request) => [request.path, request.params._n ?? request.params.sku]),
        [
          ['/e', 'Order Completed'],
          ['/s', 'TT-20'],
          ['/s', 'TT-05'],
          ['/e', 'Order Completed'],
          ['/s', 'TT-16'],
          ['/e', 'Order Refunded'],
        ],
      ),
      checkEqual(
        'product rows carry the order’s _t + 1, + 2 (with _d=1), so Kissmetrics keeps every row',
        requests
          .filter((request) => request.path === '/s')
          .map((request) => [request.params._t, request.params._d]),
        [
          [String(firstOrderAt + 1), '1'],
          [String(firstOrderAt + 2), '1'],
          [String(secondOrderAt + 1), '1'],
        ],
      ),
      checkEqual(
        'Billing Amount is the revenue read from "$59.95", the total 12, and the refund -17.5',
        people[0]?.events.map((event) => [event.name, event.properties['Billing Amount']]),
        [
          ['Order Completed', '59.95'],
          ['Order Completed', '12'],
          ['Order Refunded', '-17.5'],
        ],
      ),
      checkEqual(
        'the first order’s revenue is sent as the number 59.95, not the text',
        people[0]?.events[0]?.properties.revenue,
        '59.95',
      ),
      checkEqual(
        'every product row is in the person’s history of sku (one row each)',
        skuRows.map((row) => [isoSeconds(row.time), row.value]),
        [
          [isoSeconds(firstOrderAt + 1), 'TT-20'],
          [isoSeconds(firstOrderAt + 2), 'TT-05'],
          [isoSeconds(secondOrderAt + 1), 'TT-16'],
        ],
      ),
      checkEqual(
        'the timeline shows both orders and the refund at their times',
        people[0]?.events.map((event) => [event.name, event.time]),
        [
          ['Order Completed', isoSeconds(firstOrderAt)],
          ['Order Completed', isoSeconds(secondOrderAt)],
          ['Order Refunded', isoSeconds(refundAt)],
        ],
      ),
      checkEqual(
        'device mode pushes the order, then one set per product with its own _t and _d: 1',
        kmq.map((command) => command.slice(0, 2)),
        [
          ['record', 'Order Completed'],
          ['set', { ...TIBET, _t: firstOrderAt + 1, _d: 1 }],
          ['set', { ...LOTUS, _t: firstOrderAt + 2, _d: 1 }],
        ],
      ),
      checkEqual('Kissmetrics rejected nothing', km.rejected(), []),
      check(
        'close() delivered all 6 requests',
        closed.delivered === 6 && closed.failed === 0 && closed.dropped === 0,
        JSON.stringify(closed),
      ),
    ];
    return {
      sections: [
        {
          title: 'orders through @kmkit/node (cloud mode)',
          about: '@kmkit/node with fetch through msw/node; _kmq shows what device mode would push',
          calls,
          kmq,
          requests,
          facts: [
            {
              label: 'history of sku (one row per product)',
              value: skuRows.map((row) => `${row.value} at ${isoSeconds(row.time)}`).join(', '),
            },
          ],
          people,
        },
      ],
      checks,
    };
  },
};
