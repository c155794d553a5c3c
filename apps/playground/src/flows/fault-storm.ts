import { createKissmetricsEmulator, type Fault } from '@kmkit/msw';
import { createKissmetrics } from '@kmkit/node';
import {
  type Check,
  check,
  checkEqual,
  createFlowClock,
  type Flow,
  isoSeconds,
  seededRandom,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { startLoopbackServer } from '../network/index.js';

const API_KEY = 'playground-key';
const READERS = ['tintin', 'haddock', 'calculus', 'castafiore'].map((name) => `${name}@herge.com`);
const EVENTS = 120;
const FAILURE_RATE = 0.3;
const KINDS: readonly Fault[] = [500, 502, 503, 429, 'network-error'];

/**
 * The answers of `/e`, call by call: a scripted opening (two 503s, a 429 with `Retry-After: 1`, a
 * reset), then 30% failures of every kind, drawn from a seeded PRNG so every run is the same.
 */
function faultScript(): Fault[] {
  const random = seededRandom(2024);
  const script: Fault[] = [503, 503, { status: 429, retryAfter: 1 }, 'network-error'];
  while (script.length < EVENTS * 3) {
    script.push(random() < FAILURE_RATE ? KINDS[Math.floor(random() * KINDS.length)]! : 'ok');
  }
  return script;
}

function kindName(kind: string): string {
  return kind === 'network-error' ? 'connection reset' : kind;
}

/** Flow 5: the node client through injected 5xx, 429 and connection resets; nothing is lost. */
export const faultStorm: Flow = {
  name: 'fault-storm',
  title: 'A fault storm: the node client through injected 5xx, 429 and resets, nothing lost',
  async run(context) {
    const clock = createFlowClock(context.start);
    const loopback = await startLoopbackServer();
    try {
      const km = createKissmetricsEmulator({
        apiKeys: [API_KEY],
        endpoints: [loopback.url],
        now: clock.now,
        faults: { e: { answers: faultScript() } },
      });
      loopback.use(km.handlers);
      const client = createKissmetrics({
        apiKey: API_KEY,
        endpoint: loopback.url,
        concurrency: 8,
        // Short backoff so the storm passes in seconds; a Retry-After still pauses for its length.
        retry: { baseDelayMs: 10, maxDelayMs: 200 },
        scheduler: { random: seededRandom(7) },
      });
      const retries: { reason: string; status?: number; delayMs: number }[] = [];
      client.on('retry', ({ reason, status, delayMs }) =>
        retries.push({ reason, delayMs, ...(status === undefined ? {} : { status }) }),
      );
      const messages = Array.from({ length: EVENTS }, (_, index) => ({
        userId: READERS[index % READERS.length]!,
        event: 'Read Album',
        // Each event its own second: its own duplicate key (_p, _n, _t).
        timestamp: new Date(context.start + index * 1000).toISOString(),
        properties: { album: index + 1 },
      }));
      context.log(`tracking ${EVENTS} events through the storm`);
      const accepted = messages.filter((message) => client.track(message).accepted).length;
      const flushed = await client.flush();
      const stats = client.stats();
      await client.close();

      const injected = km.faults.counts().e ?? {};
      const faults = Object.values(injected).reduce<number>((sum, count) => sum + (count ?? 0), 0);
      // 8 in flight and retries make the arrival order vary from run to run; time order does not.
      const requests = km
        .requests()
        .map(toRequestView)
        .sort((a, b) => Number(a.params._t) - Number(b.params._t));
      const people = km
        .people()
        .map(toPerson)
        .sort((a, b) => (a.identities[0]! < b.identities[0]! ? -1 : 1));
      const recorded = people
        .flatMap((person) =>
          person.events.map(
            (event) =>
              `${person.identities[0]} ${event.name} ${event.time} #${event.properties.album}`,
          ),
        )
        .sort();
      const expected = messages
        .map(
          (message) =>
            `${message.userId} ${message.event} ${isoSeconds(Date.parse(message.timestamp) / 1000)} #${message.properties.album}`,
        )
        .sort();
      const statuses = requests.reduce<Record<string, number>>((counts, request) => {
        counts[request.status] = (counts[request.status] ?? 0) + 1;
        return counts;
      }, {});

      const checks: Check[] = [
        checkEqual(`all ${EVENTS} track() calls were accepted`, accepted, EVENTS),
        checkEqual('flush(): every event delivered, none failed, none dropped', flushed, {
          delivered: EVENTS,
          failed: 0,
          dropped: 0,
        }),
        checkEqual(
          'faults of every kind were injected: 500, 502, 503, 429 and connection resets',
          Object.keys(injected).sort(),
          ['429', '500', '502', '503', 'network-error'],
        ),
        checkEqual('every faulted answer was retried once', stats.retries, faults),
        check(
          'the 429 with Retry-After: 1 held the retry back at least a second',
          retries.some((retry) => retry.status === 429 && retry.delayMs >= 1000),
          JSON.stringify(retries.filter((retry) => retry.status === 429)),
        ),
        checkEqual(
          'Kissmetrics recorded every event exactly once, on its reader, at its time',
          recorded,
          expected,
        ),
        checkEqual(
          `Kissmetrics accepted ${EVENTS} requests: none rejected, none a duplicate`,
          statuses,
          { accepted: EVENTS },
        ),
        checkEqual('the loopback server answered every request', loopback.unhandled(), []),
      ];
      const faultList = Object.entries(injected)
        .map(([kind, count]) => `${kindName(kind)} ×${count}`)
        .join(', ');
      return {
        sections: [
          {
            title: `${EVENTS} events from ${READERS.length} readers through a ${FAILURE_RATE * 100}% fault rate`,
            about:
              "@kmkit/node's own keep-alive undici transport to a loopback HTTP server answered by " +
              'the emulator (msw/node cannot intercept undici): real 5xx and 429 answers, and ' +
              'sockets destroyed mid-request (requests listed by _t: they arrive out of order)',
            calls: [
              {
                call: `km.track({ userId, event: 'Read Album', timestamp, properties: { album } }) × ${EVENTS}`,
                result: `${accepted} accepted`,
              },
              { call: 'await km.flush()', result: JSON.stringify(flushed) },
            ],
            requests,
            facts: [
              { label: 'faults injected', value: `${faults}: ${faultList}` },
              { label: 'attempts that reached the server', value: `${km.faults.calls('e')}` },
              {
                label: 'client',
                value: `${stats.retries} retries, ${stats.delivered} delivered, ${stats.failed} failed, ${stats.dropped} dropped`,
              },
            ],
            people,
          },
        ],
        checks,
      };
    } finally {
      await loopback.close();
    }
  },
};
