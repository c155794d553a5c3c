/**
 * Throughput of parseEvent + mapEvent + toTrackingRequest, beside JSON.stringify of the same input
 * (the floor), measured in one run so the ratio holds on a noisy shared machine.
 *
 * Run: pnpm --filter @kmkit/core bench   (or `pnpm bench` at the root)
 */
import { mapEvent, parseEvent, toTrackingRequest } from '../src/index.js';

const EVENTS_PER_SHAPE = 2_000; // distinct objects, so the JIT cannot fold one input
const ROUNDS = 9;
const ITERATIONS = 100_000;
const WARMUP_ROUNDS = 3;
const apiKey = '9f2c41d7b2e84f4fa1c3d5e6f7a8b9c0';

function messageBase(i: number) {
  return {
    messageId: `b2a1c3d4-0000-4000-8000-${String(i).padStart(12, '0')}`,
    anonymousId: `3f8c9a7e-${i}-anon`,
    userId: `user-${i}@example.com`,
    timestamp: new Date(Date.UTC(2024, 4, 1, 10, 0, i % 60)).toISOString(),
    context: {
      ip: `10.0.${i % 250}.${i % 200}`,
      library: { name: 'analytics.js', version: '5.2.0' },
    },
  };
}

const shapes: Record<string, (i: number) => Record<string, unknown>> = {
  page: (i) => ({
    ...messageBase(i),
    type: 'page',
    name: 'Pricing',
    category: 'Marketing',
    properties: {
      path: `/pricing/${i}`,
      url: `https://example.com/pricing/${i}`,
      title: 'Pricing - Example',
      referrer: 'https://www.google.com/',
      search: '?utm_source=google',
    },
  }),
  track: (i) => ({
    ...messageBase(i),
    type: 'track',
    event: 'Signed Up',
    properties: { plan: 'Pro', seats: (i % 20) + 1, trial: i % 2 === 0, source: 'landing-page' },
  }),
  'track + revenue': (i) => ({
    ...messageBase(i),
    type: 'track',
    event: 'Upgraded Plan',
    properties: {
      plan: 'Business',
      seats: (i % 20) + 1,
      revenue: `$${(49 + (i % 100)).toFixed(2)}`,
      currency: 'USD',
      trial: false,
    },
  }),
  'Order Completed, 2 products': (i) => ({
    ...messageBase(i),
    type: 'track',
    event: 'Order Completed',
    properties: {
      order_id: `ord-${i}`,
      total: 57.5 + (i % 10),
      revenue: 50 + (i % 10),
      shipping: 3,
      tax: 4.5,
      currency: 'USD',
      coupon: i % 3 === 0 ? 'SPRING' : '',
      products: [
        {
          product_id: `p-${i}`,
          sku: `SKU-${i}`,
          name: 'Monopoly: 3rd Edition',
          price: 19,
          quantity: 1,
          category: 'Games',
        },
        {
          product_id: `q-${i}`,
          sku: `SKU-${i + 1}`,
          name: 'Uno Card Game',
          price: 3,
          quantity: 2,
          category: 'Games',
        },
      ],
    },
  }),
};

let sink = 0;

type Work = (events: readonly unknown[], count: number) => void;

const pipeline: Work = (events, count) => {
  for (let n = 0; n < count; n++) {
    const { commands } = mapEvent(parseEvent(events[n % events.length]));
    for (const command of commands) {
      sink += toTrackingRequest(command, { apiKey }).url.length;
    }
  }
};

const stringify: Work = (events, count) => {
  for (let n = 0; n < count; n++) sink += JSON.stringify(events[n % events.length]).length;
};

// The yardstick: a hand-written mapper of a flat track with no validation, no limits and
// no warnings, measured at about 650k events/s (2.1x JSON.stringify) on the reference machines.
// Run here, it tells how fast this machine is compared with those.
const REFERENCE_MINIMAL_RATE = 650_000;

interface FlatTrack {
  readonly userId: string;
  readonly event: string;
  readonly timestamp: string;
  readonly properties: Record<string, string | number | boolean>;
}

const minimalMapper: Work = (events, count) => {
  for (let n = 0; n < count; n++) {
    const message = events[n % events.length] as FlatTrack;
    let query = `_k=${encodeURIComponent(apiKey)}&_p=${encodeURIComponent(message.userId)}&_n=${encodeURIComponent(message.event)}&_t=${Math.floor(Date.parse(message.timestamp) / 1000)}&_d=1`;
    const properties = message.properties;
    for (const key in properties) {
      query += `&${encodeURIComponent(key)}=${encodeURIComponent(String(properties[key]))}`;
    }
    sink += `https://trk.kissmetrics.io/e?${query}`.length;
  }
};

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Events per second, median of the rounds; the two loops alternate so drift hits both. */
function measure(events: readonly unknown[], work: Work): { mapped: number; json: number } {
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    work(events, ITERATIONS);
    stringify(events, ITERATIONS);
  }
  const mapped: number[] = [];
  const json: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // CPU time of this process, so other processes on a shared machine barely move the figures.
    let start = cpuSeconds();
    work(events, ITERATIONS);
    mapped.push(ITERATIONS / (cpuSeconds() - start));
    start = cpuSeconds();
    stringify(events, ITERATIONS);
    json.push(ITERATIONS / (cpuSeconds() - start));
  }
  return { mapped: median(mapped), json: median(json) };
}

const TRACK_MAX_RATIO = 3;
const ORDER_MIN_RATE = 250_000;
const rate = (value: number) => Math.round(value).toLocaleString('en-US');

const inputs = Object.fromEntries(
  Object.entries(shapes).map(([shape, make]) => [
    shape,
    Array.from({ length: EVENTS_PER_SHAPE }, (_, i) => make(i)),
  ]),
);
const minimal = measure(inputs.track!, minimalMapper);
const machineFactor = minimal.mapped / REFERENCE_MINIMAL_RATE;

const rows = Object.entries(inputs).map(([shape, events]) => {
  const { mapped, json } = measure(events, pipeline);
  const ratio = json / mapped;
  let target = '';
  if (shape.startsWith('track')) {
    target = `<= ${TRACK_MAX_RATIO}x JSON: ${ratio <= TRACK_MAX_RATIO ? 'pass' : 'FAIL'}`;
  } else if (shape.startsWith('Order')) {
    const scaled = ORDER_MIN_RATE * machineFactor;
    target = `>= 250k/s: ${mapped >= ORDER_MIN_RATE ? 'pass' : 'FAIL'}; scaled to this machine >= ${rate(scaled)}/s: ${mapped >= scaled ? 'pass' : 'FAIL'}`;
  }
  return {
    shape,
    'parse+map+encode ev/s': rate(mapped),
    'JSON.stringify ev/s': rate(json),
    'cost vs JSON': `${ratio.toFixed(2)}x`,
    target,
  };
});
rows.push({
  shape: 'track, minimal mapper (yardstick)',
  'parse+map+encode ev/s': rate(minimal.mapped),
  'JSON.stringify ev/s': rate(minimal.json),
  'cost vs JSON': `${(minimal.json / minimal.mapped).toFixed(2)}x`,
  target: `reference ${rate(REFERENCE_MINIMAL_RATE)}/s: this machine runs at ${machineFactor.toFixed(2)}x`,
});

console.log(
  `@kmkit/core mapping bench: Node ${process.version}, median of ${ROUNDS} rounds x ${ITERATIONS.toLocaleString('en-US')} events over ${EVENTS_PER_SHAPE.toLocaleString('en-US')} distinct inputs per shape`,
);
console.table(rows);
console.log(
  "The yardstick is a hand-written mapper of a flat track without validation, limits or warnings (the issue measures it at about 650k events/s); the scaled order target is 250k/s times this machine's speed relative to that.",
);
if (sink === 0) console.log('(unreachable: keeps the results alive)');
