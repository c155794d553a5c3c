import type { MappingPreset } from '@kmkit/core';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { createKissmetrics } from '@kmkit/node';
import { callNodeClient, type NodeCallName } from '../clients/index.js';
import {
  type Call,
  type Check,
  callText,
  checkEqual,
  createFlowClock,
  type Flow,
  type FlowContext,
  type FlowSection,
  type TrackingRequestView,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { interceptedFetch } from '../network/index.js';

const API_KEY = 'playground-key';
const USER = 'tintin@herge.com';
const ANONYMOUS = 'anon-7f3e';
const PRESETS: readonly MappingPreset[] = ['default', 'rudderstack', 'segment'];

/** The same six messages for every preset: a label for the table, the method, the message. */
const MESSAGES: readonly {
  label: string;
  method: NodeCallName;
  message: Record<string, unknown>;
}[] = [
  {
    label: 'identify with traits',
    method: 'identify',
    message: { userId: USER, anonymousId: ANONYMOUS, traits: { name: 'Tintin', plan: 'reporter' } },
  },
  {
    label: 'page Home in Docs',
    method: 'page',
    message: {
      userId: USER,
      category: 'Docs',
      name: 'Home',
      properties: { path: '/docs', url: 'https://herge.example/docs' },
    },
  },
  {
    label: 'page in Docs, no name',
    method: 'page',
    message: { userId: USER, category: 'Docs', properties: { path: '/docs/intro' } },
  },
  {
    label: 'screen Cart in Shop',
    method: 'screen',
    message: { userId: USER, category: 'Shop', name: 'Cart', properties: { items: 2 } },
  },
  {
    label: 'screen Cart, properties.category Shop',
    method: 'screen',
    message: { userId: USER, name: 'Cart', properties: { category: 'Shop', items: 2 } },
  },
  {
    label: 'track Order Completed',
    method: 'track',
    message: {
      userId: USER,
      event: 'Order Completed',
      properties: { order_id: 'A-1', revenue: 19.99 },
    },
  },
];

/** What one request brings to Kissmetrics, shortly: `/e Viewed Home Page: Page - path`. */
function summary(request: TrackingRequestView): string {
  if (request.path === '/a') return '/a alias';
  // Sorted: the order of properties in a request means nothing to Kissmetrics.
  const names = Object.keys(request.params)
    .filter((key) => !key.startsWith('_'))
    .sort();
  const what = request.path === '/e' ? `/e ${request.params._n}` : '/s set';
  return `${what}: ${names.join(', ')}`;
}

interface PresetRun {
  readonly section: FlowSection;
  /** Per message, what its requests brought (`summary`), in order. */
  readonly received: readonly (readonly string[])[];
}

async function runPreset(context: FlowContext, preset: MappingPreset): Promise<PresetRun> {
  const clock = createFlowClock(context.start);
  const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
  context.network.use(...km.handlers);
  const client = createKissmetrics({
    apiKey: API_KEY,
    preset,
    fetch: interceptedFetch,
    concurrency: 1,
  });
  const queued: number[] = [];
  for (const { method, message } of MESSAGES) {
    const timestamp = new Date(clock.now()).toISOString();
    const call = callNodeClient(client, method, { ...message, timestamp });
    queued.push(Number(/queued (\d+)/.exec(call.result ?? '')?.[1] ?? 0));
    clock.advance(60_000);
  }
  await client.close();
  const requests = km.requests().map(toRequestView);
  // Requests arrive one at a time, in call order: each message's are the next `queued` ones.
  const received: string[][] = [];
  let next = 0;
  for (const count of queued) {
    received.push(requests.slice(next, next + count).map(summary));
    next += count;
  }
  return {
    section: {
      title: `preset: '${preset}'`,
      about: `createKissmetrics({ apiKey, preset: '${preset}' }) from @kmkit/node`,
      calls: [],
      requests,
      people: km.people().map(toPerson),
    },
    received,
  };
}

/** Flow 3: the same messages through the default, rudderstack and segment presets. */
export const presets: Flow = {
  name: 'presets',
  title: "The same events through the default, 'rudderstack' and 'segment' presets, side by side",
  async run(context) {
    const runs: PresetRun[] = [];
    for (const preset of PRESETS) runs.push(await runPreset(context, preset));
    const [standard, rudderstack, segment] = runs.map((run) => run.received);

    const rows = MESSAGES.flatMap(({ label }, index) =>
      PRESETS.map((preset, column) => [
        column === 0 ? label : '',
        preset,
        (runs[column]?.received[index] ?? []).join(' + '),
      ]),
    );
    const calls: Call[] = MESSAGES.map(({ method, message }) => ({
      call: callText(`km.${method}`, message),
    }));

    // Expected names from the mapping rules and reference/peer-mappings.md, one preset at a time.
    const checks: Check[] = [
      checkEqual('default: names and properties as kmkit maps them', standard, [
        ['/s set: name, plan', '/a alias'],
        ['/e Viewed Docs Home page: path, url'],
        ['/e Viewed Docs page: path'],
        ['/e Viewed Shop Cart screen: items'],
        ['/e Viewed Shop Cart screen: category, items'],
        ['/e Order Completed: Billing Amount, order_id, revenue'],
      ]),
      checkEqual(
        "rudderstack: no alias on identify, the category only from properties.category, 'Loaded a Page' for a category alone, categorised screens named as pages, no Billing Amount without prefixing",
        rudderstack,
        [
          ['/s set: name, plan'],
          ['/e Viewed Home page: path, url'],
          ['/e Loaded a Page: path'],
          ['/e Viewed Cart screen: items'],
          ['/e Viewed Shop Cart page: category, items'],
          ['/e Order Completed: order_id, revenue'],
        ],
      ),
      checkEqual(
        "segment: id added to traits, a 'Page View' (Viewed URL, Referrer) before each page, 'Viewed <name> Page', prefixed properties, Billing Amount always",
        segment,
        [
          ['/s set: id, name, plan', '/a alias'],
          ['/e Page View: Referrer, Viewed URL', '/e Viewed Home Page: Page - path, Page - url'],
          ['/e Page View: Referrer', '/e Viewed Docs Page: Page - path'],
          ['/e Viewed Cart Screen: Screen - items'],
          ['/e Viewed Cart Screen: Screen - category, Screen - items'],
          [
            '/e Order Completed: Billing Amount, Order Completed - order_id, Order Completed - revenue',
          ],
        ],
      ),
    ];
    return {
      sections: [
        {
          title: 'the same messages, three presets',
          about: 'each preset has its own emulated Kissmetrics; the messages are one minute apart',
          calls,
          table: { columns: ['message', 'preset', 'Kissmetrics receives'], rows },
          people: [],
        },
        ...runs.map((run) => run.section),
      ],
      checks,
    };
  },
};
