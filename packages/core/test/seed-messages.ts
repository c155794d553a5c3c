/**
 * The RudderStack documentation's Kissmetrics examples (the seed), as the spec messages the
 * RudderStack JS SDK builds for those calls. Expected `_kmq` output is in the tests, copied from
 * the same page.
 */

/** `rudderanalytics.identify("my-userID", { name, city, country, email })`: traits in context. */
export const seedIdentify = {
  type: 'identify',
  userId: 'my-userID',
  anonymousId: 'b3e1c0de-7f6a-4c1e-9d2b-5a8e0f1c2d3e',
  context: {
    traits: {
      name: 'Tintin',
      city: 'Brussels',
      country: 'Belgium',
      email: 'tintin@herge.com',
    },
  },
  originalTimestamp: '2024-05-01T10:00:00.000Z',
} as const;

/** `rudderanalytics.page("home", { path, url, title, search, referrer })`. */
export const seedPage = {
  type: 'page',
  anonymousId: 'b3e1c0de-7f6a-4c1e-9d2b-5a8e0f1c2d3e',
  name: 'home',
  properties: {
    path: 'path',
    url: 'url',
    title: 'title',
    search: 'search',
    referrer: 'referrer',
  },
  originalTimestamp: '2024-05-01T10:00:01.000Z',
} as const;

/** `rudderanalytics.track("Track me", { category, label, value })`. */
export const seedTrack = {
  type: 'track',
  anonymousId: 'b3e1c0de-7f6a-4c1e-9d2b-5a8e0f1c2d3e',
  event: 'Track me',
  properties: { category: 'category', label: 'label', value: 'value' },
  originalTimestamp: '2024-05-01T10:00:02.000Z',
} as const;

/** `rudderanalytics.alias("my-new-userID")` after identifying as "my-userID". */
export const seedAlias = {
  type: 'alias',
  userId: 'my-new-userID',
  previousId: 'my-userID',
  originalTimestamp: '2024-05-01T10:00:03.000Z',
} as const;

/** A Segment-spec "Order Completed" with two products, as a server pipeline sends it. */
export const orderCompleted = {
  type: 'track',
  event: 'Order Completed',
  userId: 'user-42',
  anonymousId: 'anon-42',
  messageId: 'msg-order-1',
  timestamp: '2024-05-01T10:00:00Z',
  properties: {
    order_id: '50314b8e9bcf000000000000',
    total: 27.5,
    revenue: 25,
    currency: 'USD',
    products: [
      {
        product_id: '507f1f77bcf86cd799439011',
        sku: '45790-32',
        name: 'Monopoly: 3rd Edition',
        price: 19,
        quantity: 1,
      },
      {
        product_id: '505bd76785ebb509fc183733',
        sku: '46493-32',
        name: 'Uno Card Game',
        price: 3,
        quantity: 2,
      },
    ],
  },
} as const;
