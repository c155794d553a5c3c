import { mapEvent } from '@kmkit/core';
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
  isoSeconds,
  toCallError,
  toCallWarnings,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { interceptedFetch } from '../network/index.js';

const API_KEY = 'playground-key';
const USER = 'tintin@herge.com';
const LONG_TITLE = 'Objective Moon, '.repeat(40).trim(); // 639 characters

/** Calls Kissmetrics cannot take: each throws and sends nothing. */
const REFUSED: readonly { method: NodeCallName; message: Record<string, unknown> }[] = [
  { method: 'track', message: { event: 'Signed Up' } },
  { method: 'track', message: { userId: USER, properties: { plan: 'pro' } } },
  { method: 'alias', message: { userId: USER } },
  { method: 'group', message: { userId: USER, traits: { name: 'Marlinspike Hall' } } },
  { method: 'identify', message: { userId: 'x'.repeat(300), traits: { plan: 'pro' } } },
];

/** Raw pipeline input for `mapEvent`, as text: not JSON, then a misspelt type. */
const RAW_INPUT = [
  '{"type":"track","userId":"tintin"',
  '{"type":"trak","userId":"tintin","event":"Read"}',
];

/** One call whose message is usable but has bad parts: it is sent, with a warning per part. */
const WARNED = {
  userId: USER,
  event: 'Article Published',
  timestamp: 'last Tuesday',
  properties: {
    title: LONG_TITLE,
    _p: 'haddock@herge.com',
    words: Number.NaN,
    onSave: () => undefined,
    revenue: 'a lot',
    products: 'none',
    author: { name: 'Tintin', paper: 'Le Petit Vingtième' },
    tags: ['moon', 'rocket'],
  },
};

/** Flow 7: invalid input, and the exact errors and warnings a user gets. */
export const badInput: Flow = {
  name: 'bad-input',
  title: 'Bad input: a few invalid events and the exact errors and warnings a user gets',
  async run(context) {
    const clock = createFlowClock(context.start);
    const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
    context.network.use(...km.handlers);
    const client = createKissmetrics({
      apiKey: API_KEY,
      fetch: interceptedFetch,
      // The clock a message without a usable timestamp falls back to.
      scheduler: { now: clock.now },
    });
    const emitted: string[] = [];
    client.on('warning', (warning) =>
      emitted.push(`${warning.code} ${'path' in warning ? warning.path : ''}`),
    );

    const refused: Call[] = REFUSED.map(({ method, message }) =>
      callNodeClient(client, method, message),
    );
    const raw: Call[] = RAW_INPUT.map((input) => {
      const call = callText('mapEvent', input);
      try {
        const { warnings } = mapEvent(input);
        return { call, result: 'mapped', warnings: toCallWarnings(warnings) };
      } catch (error) {
        return { call, error: toCallError(error) };
      }
    });
    const warned = callNodeClient(client, 'track', WARNED);
    const closed = await client.close();
    const requests = km.requests().map(toRequestView);
    const people = km.people().map(toPerson);
    const errorOf = (call: Call) => [call.error?.name, call.error?.code, call.error?.path];
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);

    // Codes and paths from @kmkit/core's documented errors and warnings, one per bad part.
    const checks: Check[] = [
      checkEqual(
        'each refused call throws KmValidationError with the code and path of the bad field',
        refused.map(errorOf),
        [
          ['KmValidationError', 'missing_identity', 'userId'],
          ['KmValidationError', 'missing_event_name', 'event'],
          ['KmValidationError', 'missing_previous_id', 'previousId'],
          ['KmValidationError', 'missing_group_id', 'groupId'],
          ['KmValidationError', 'name_too_long', 'userId'],
        ],
      ),
      checkEqual(
        'raw input: text that is not JSON, and an unknown type, are refused by mapEvent',
        raw.map((call) => call.error?.code),
        ['invalid_json', 'unknown_type'],
      ),
      checkEqual(
        'the usable event is sent with one warning per bad part, each naming its path',
        (warned.warnings ?? []).map(({ code, path }) => ({ code, path })).sort(byPath),
        [
          { code: 'invalid_products', path: 'properties.products' },
          { code: 'invalid_revenue', path: 'properties.revenue' },
          { code: 'non_finite_number', path: 'properties.words' },
          { code: 'reserved_key', path: 'properties._p' },
          { code: 'unsupported_value', path: 'properties.onSave' },
          { code: 'value_truncated', path: 'properties.title' },
          { code: 'invalid_timestamp', path: 'timestamp' },
        ].sort(byPath),
      ),
      checkEqual(
        'every warning was also emitted as a warning event: nothing is dropped silently',
        emitted.sort(),
        (warned.warnings ?? []).map((warning) => `${warning.code} ${warning.path}`).sort(),
      ),
      checkEqual(
        'only the usable event reached Kissmetrics: one /e, none of the refused calls',
        requests.map((request) => [request.path, request.params._n]),
        [['/e', 'Article Published']],
      ),
      checkEqual(
        'it is recorded on Tintin (the _p property did not take over), at the clock’s time',
        people.map((person) => [
          person.identities,
          person.events.map((event) => [event.name, event.time]),
        ]),
        [[[USER], [['Article Published', isoSeconds(clock.seconds())]]]],
      ),
      checkEqual(
        'what Kissmetrics keeps: the title cut to 512 characters, objects flattened, lists joined, the rest as sent',
        people[0]?.events[0]?.properties,
        {
          title: [...LONG_TITLE].slice(0, 512).join(''),
          revenue: 'a lot',
          products: 'none',
          'author.name': 'Tintin',
          'author.paper': 'Le Petit Vingtième',
          tags: 'moon,rocket',
        },
      ),
      checkEqual('Kissmetrics rejected nothing', km.rejected(), []),
      checkEqual('close() delivered the one request', closed.delivered, 1),
    ];
    return {
      sections: [
        {
          title: 'refused: nothing of these is sent',
          about:
            '@kmkit/node validates every call synchronously and throws KmValidationError (code, path)',
          calls: [...refused, ...raw],
          people: [],
        },
        {
          title: 'sent with warnings: the valid parts go out',
          about:
            'each warning names the path of the value and what happened; the client also emits it',
          calls: [warned],
          requests,
          people,
        },
      ],
      checks,
    };
  },
};
