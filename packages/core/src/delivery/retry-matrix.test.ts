import { describe, expect, test } from 'vitest';
import {
  answers,
  delayedTransport,
  request,
  type ScriptedAnswer,
  scriptedTransport,
} from '../../test/scripted-transport.js';
import { createManualScheduler } from '../testing/manual-scheduler.js';
import { seededRandom } from '../testing/seeded-random.js';
import { createDeliveryQueue } from './queue.js';
import type { DeliveryEvents, DeliveryQueueOptions } from './queue-types.js';
import type { RetryPolicy } from './retry-policy.js';
import type { Store } from './types.js';

// With random() = 0.5 and full jitter over min(cap, base * 2^(n-1)), retry n waits half its window:
// base 500 ms gives 250, 500, 1000, 2000, 4000... capped at half of maxDelayMs.
const START = 1_700_000_000_000;

interface Outcome {
  outcome: 'delivered' | 'failed' | 'pending';
  reason?: string;
  attempts: number;
  delays: number[];
  retryReasons: string[];
  sentAt: number[];
}

/** A retry policy, and whether a durable store holds the request (and how it is retried). */
type Setup = Partial<RetryPolicy> & {
  readonly durable?: boolean;
  readonly durableRetry?: DeliveryQueueOptions['durableRetry'];
};

// A store that keeps requests as a durable one would (the node spool), in memory.
const durableStore = (): Store => {
  const kept = new Map<string, unknown>();
  return {
    durable: true,
    load: () => [],
    add: (entry) => void kept.set(entry.id, entry),
    remove: (id) => void kept.delete(id),
  };
};

async function deliverOne(script: ScriptedAnswer[], setup: Setup = {}): Promise<Outcome> {
  const { durable, durableRetry, ...retry } = setup;
  const scheduler = createManualScheduler({ now: START, random: () => 0.5 });
  const sentAt: number[] = [];
  const transport = scriptedTransport((req, n) => {
    sentAt.push(scheduler.now() - START);
    return answers(...script)(req, n);
  });
  const queue = createDeliveryQueue({
    transport,
    scheduler,
    retry,
    ...(durable ? { store: durableStore() } : {}),
    ...(durableRetry === undefined ? {} : { durableRetry }),
  });
  const delays: number[] = [];
  const retryReasons: string[] = [];
  let result: Outcome['outcome'] = 'pending';
  let reason: string | undefined;
  queue.on('retry', (e) => {
    delays.push(e.delayMs);
    retryReasons.push(e.reason);
  });
  queue.on('delivered', () => {
    result = 'delivered';
  });
  queue.on('error', (e) => {
    result = 'failed';
    reason = e.reason;
  });
  queue.enqueue(request(1));
  await scheduler.runAll();
  return {
    outcome: result,
    reason,
    attempts: transport.attempts.length,
    delays,
    retryReasons,
    sentAt,
  };
}

const date = (offsetMs: number) => new Date(START + offsetMs).toUTCString();

describe('retry matrix (random = 0.5, base 500 ms)', () => {
  // [#, scenario, answers, expected]
  const matrix: [number, string, ScriptedAnswer[], Setup, Partial<Outcome>][] = [
    [1, '200 is delivered at once', [200], {}, { outcome: 'delivered', attempts: 1, delays: [] }],
    [2, '204 is delivered', [204], {}, { outcome: 'delivered', attempts: 1 }],
    [3, '304 is delivered', [304], {}, { outcome: 'delivered', attempts: 1 }],
    [
      4,
      '500 then 200: one retry after 250 ms',
      [500, 200],
      {},
      { outcome: 'delivered', attempts: 2, delays: [250], sentAt: [0, 250] },
    ],
    [
      5,
      '502, 503, 504 then 200: backoff doubles',
      [502, 503, 504, 200],
      {},
      { outcome: 'delivered', attempts: 4, delays: [250, 500, 1000], sentAt: [0, 250, 750, 1750] },
    ],
    [
      6,
      '408 is retried',
      [408, 200],
      {},
      { outcome: 'delivered', attempts: 2, retryReasons: ['status'] },
    ],
    [
      7,
      '429 without Retry-After backs off',
      [429, 200],
      {},
      { outcome: 'delivered', attempts: 2, delays: [250] },
    ],
    [
      8,
      '429 with Retry-After: 3 waits 3 s (a floor over 250 ms)',
      [{ status: 429, retryAfter: '3' }, 200],
      {},
      { outcome: 'delivered', delays: [3000], sentAt: [0, 3000] },
    ],
    [
      9,
      '503 with an HTTP-date Retry-After waits until that date',
      [{ status: 503, retryAfter: date(5000) }, 200],
      {},
      { outcome: 'delivered', delays: [5000], sentAt: [0, 5000] },
    ],
    [
      10,
      'a Retry-After shorter than the backoff does not shorten it',
      [500, 500, 500, { status: 503, retryAfter: '1' }, 200],
      {},
      { outcome: 'delivered', delays: [250, 500, 1000, 2000] },
    ],
    [
      11,
      'a Retry-After date in the past adds no wait',
      [{ status: 429, retryAfter: date(-60_000) }, 200],
      {},
      { outcome: 'delivered', delays: [250] },
    ],
    [
      12,
      'an unreadable Retry-After is ignored',
      [{ status: 429, retryAfter: 'soon' }, 200],
      {},
      { outcome: 'delivered', delays: [250] },
    ],
    [
      13,
      'a network error is retried',
      ['network-error', 200],
      {},
      { outcome: 'delivered', attempts: 2, retryReasons: ['network'] },
    ],
    [
      14,
      'no answer within timeoutMs aborts and retries',
      ['hang', 200],
      { timeoutMs: 2000 },
      { outcome: 'delivered', attempts: 2, retryReasons: ['timeout'], sentAt: [0, 2250] },
    ],
    [
      15,
      '501 is final: no retry can fix it',
      [501],
      {},
      { outcome: 'failed', reason: 'rejected', attempts: 1 },
    ],
    [16, '505 is final', [505], {}, { outcome: 'failed', reason: 'rejected', attempts: 1 }],
    [17, '400 is final', [400], {}, { outcome: 'failed', reason: 'rejected', attempts: 1 }],
    [18, '403 is final', [403], {}, { outcome: 'failed', reason: 'rejected', attempts: 1 }],
    [19, '404 is final', [404], {}, { outcome: 'failed', reason: 'rejected', attempts: 1 }],
    [
      20,
      'a 3xx other than 304 is final',
      [302],
      {},
      { outcome: 'failed', reason: 'rejected', attempts: 1 },
    ],
    [
      21,
      'maxAttempts 3 with 500s gives up after 3 attempts',
      [500, 500, 500, 200],
      { maxAttempts: 3 },
      { outcome: 'failed', reason: 'max_attempts', attempts: 3, delays: [250, 500] },
    ],
    [
      22,
      'maxAttempts 1 never retries',
      ['network-error'],
      { maxAttempts: 1 },
      { outcome: 'failed', reason: 'max_attempts', attempts: 1 },
    ],
    [
      23,
      'the backoff window is capped at maxDelayMs',
      [500, 500, 500, 500, 200],
      { maxDelayMs: 1000 },
      { outcome: 'delivered', delays: [250, 500, 500, 500] },
    ],
    [
      24,
      'a retry that would land past maxAgeMs expires instead',
      [500, 500, 500, 200],
      { maxAgeMs: 1000 },
      { outcome: 'failed', reason: 'expired', attempts: 3, delays: [250, 500] },
    ],
    [
      25,
      'a Retry-After beyond maxAgeMs expires at once',
      [{ status: 429, retryAfter: '120' }, 200],
      { maxAgeMs: 60_000 },
      { outcome: 'failed', reason: 'expired', attempts: 1 },
    ],
    [
      26,
      'timeouts count as attempts',
      ['hang', 'hang'],
      { timeoutMs: 100, maxAttempts: 2 },
      { outcome: 'failed', reason: 'max_attempts', attempts: 2 },
    ],
    [
      27,
      'durably stored: twenty 503s then 200 is retried past maxAttempts (10) and delivered',
      [...Array<ScriptedAnswer>(20).fill(503), 200],
      { durable: true },
      { outcome: 'delivered', attempts: 21 },
    ],
    [
      28,
      'durably stored: the backoff stays capped at maxDelayMs however many attempts',
      [500, 500, 500, 500, 500, 500, 200],
      { durable: true, maxAttempts: 2, maxDelayMs: 2000 },
      { outcome: 'delivered', attempts: 7, delays: [250, 500, 1000, 1000, 1000, 1000] },
    ],
    [
      29,
      'durably stored: a final 4xx still fails at once',
      [400],
      { durable: true },
      { outcome: 'failed', reason: 'rejected', attempts: 1 },
    ],
    [
      30,
      'durably stored: timeouts too are retried past maxAttempts',
      ['hang', 'hang', 'hang', 200],
      { durable: true, maxAttempts: 2, timeoutMs: 100 },
      { outcome: 'delivered', attempts: 4, retryReasons: ['timeout', 'timeout', 'timeout'] },
    ],
    [
      31,
      'durably stored: an outage longer than maxAgeMs fails it as expired',
      Array<ScriptedAnswer>(100).fill(503),
      { durable: true, maxAgeMs: 60_000 },
      { outcome: 'failed', reason: 'expired' },
    ],
    [
      32,
      "durably stored with durableRetry 'max-attempts' (the browser): stops at maxAttempts",
      [503, 503, 503, 200],
      { durable: true, durableRetry: 'max-attempts', maxAttempts: 3 },
      { outcome: 'failed', reason: 'max_attempts', attempts: 3 },
    ],
  ];

  test.each(matrix)('#%i %s', async (_n, _name, script, retry, expected) => {
    const result = await deliverOne(script, retry);
    expect(result).toMatchObject(expected);
  });
});

describe('retries', () => {
  test('every attempt sends the identical request, so Kissmetrics counts it once by _p + _n + _t', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport(answers(503, 'network-error', 500, 200));
    const queue = createDeliveryQueue({ transport, scheduler });
    queue.enqueue(request(7));
    await scheduler.runAll();
    expect(transport.attempts.map((a) => a.request)).toEqual([
      request(7),
      request(7),
      request(7),
      request(7),
    ]);
  });

  test('a Retry-After delays only the request that received it: the others to that origin go on', async () => {
    const scheduler = createManualScheduler({ now: START });
    const sent: string[] = [];
    const transport = scriptedTransport((req, n) => {
      sent.push(`${scheduler.now() - START} ${new URL(req.url).searchParams.get('_p')}`);
      return n === 0 ? { status: 429, retryAfter: '10' } : 200;
    });
    const queue = createDeliveryQueue({ transport, scheduler });
    queue.enqueue(request(1));
    await scheduler.settle();
    queue.enqueue(request(2));
    queue.enqueue(request(3));
    await scheduler.advance(9_999);
    expect(sent).toEqual(['0 p1', '0 p2', '0 p3']);
    await scheduler.runAll();
    expect(sent).toEqual(['0 p1', '0 p2', '0 p3', '10000 p1']);
    expect(queue.stats()).toMatchObject({ delivered: 3, queued: 0 });
  });

  test('a sustained run of 429s pauses every send to that origin for its Retry-After, not to others', async () => {
    const scheduler = createManualScheduler({ now: START });
    const sent: string[] = [];
    // The tracking host limits its first 8 answers; the proxy is healthy.
    let limited = 0;
    const transport = scriptedTransport((req) => {
      const { host, searchParams } = new URL(req.url);
      sent.push(`${scheduler.now() - START} ${host} ${searchParams.get('_p')}`);
      if (host === 'trk.kissmetrics.io' && limited < 8) {
        limited++;
        return { status: 429, retryAfter: '10' };
      }
      return 200;
    });
    const queue = createDeliveryQueue({ transport, scheduler, maxConcurrency: 1 });
    for (let i = 1; i <= 9; i++) queue.enqueue(request(i));
    await scheduler.advance(1);
    // Eight in a row limited (each on its own 10 s floor): the ninth waits for the pause too.
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `0 trk.kissmetrics.io p${n}`));
    queue.enqueue(request(10, 'https://proxy.example.com'));
    await scheduler.advance(9_000);
    expect(sent.slice(8)).toEqual(['1 proxy.example.com p10']);
    await scheduler.runAll();
    expect(sent.slice(9).map((line) => line.split(' ')[0])).toEqual(Array(9).fill('10000'));
    expect(queue.stats()).toMatchObject({ delivered: 10, queued: 0 });
  });

  test('an error event names the request that failed and why', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({ transport: scriptedTransport(answers(403)), scheduler });
    const errors: DeliveryEvents['error'][] = [];
    queue.on('error', (e) => errors.push(e));
    const { id } = queue.enqueue(request(9)) as { id: string };
    await scheduler.runAll();
    expect(errors).toEqual([
      expect.objectContaining({
        id,
        request: request(9),
        reason: 'rejected',
        status: 403,
        attempts: 1,
      }),
    ]);
    expect(errors[0]!.message).toContain('403');
  });
});

describe('concurrency and rate limits over 80 ms round trips', () => {
  // Every attempt is answered 80 ms after it was sent; `script` picks the answer.
  function slowEndpoint(
    script: (sentAt: number, attempt: number) => ScriptedAnswer,
    options: Partial<DeliveryQueueOptions> = {},
  ) {
    const scheduler = createManualScheduler({ now: START, monotonic: 0 });
    const transport = delayedTransport(scheduler, 80, (_req, n) =>
      script(scheduler.monotonic(), n),
    );
    const queue = createDeliveryQueue({ transport, scheduler, ...options });
    let flushedAt: number | undefined;
    const enqueue = (count: number) => {
      for (let i = 0; i < count; i++) queue.enqueue(request(i));
      void queue.flush().then(() => {
        flushedAt = scheduler.monotonic();
      });
    };
    return { scheduler, transport, queue, enqueue, flushedAt: () => flushedAt };
  }

  test('#33 the window doubles every round trip while requests wait: 1,000 requests take 9 round trips, not the 125 of a fixed 8', async () => {
    const { scheduler, queue, enqueue, flushedAt } = slowEndpoint(() => 200, {
      initialConcurrency: 8,
      maxConcurrency: 256,
    });
    enqueue(1000);
    const windows = [queue.stats().concurrency];
    for (let round = 0; round < 7; round++) {
      await scheduler.advance(80);
      windows.push(queue.stats().concurrency);
    }
    // It holds through the first round trip, which only sets the base latency.
    expect(windows).toEqual([8, 8, 16, 32, 64, 128, 256, 256]);
    await scheduler.runAll();
    expect(flushedAt()).toBe(720);
    expect(queue.stats()).toMatchObject({ delivered: 1000, retries: 0 });
  });

  test('#34 a 429 with Retry-After is a floor for its own request only: the others go on', async () => {
    const { scheduler, transport, queue, enqueue } = slowEndpoint(
      (_sentAt, n) => (n === 3 ? { status: 429, retryAfter: '2' } : 200),
      { initialConcurrency: 8, maxConcurrency: 8 },
    );
    enqueue(40);
    await scheduler.runAll();
    const sends = transport.attempts.map((a, i) => [a.request.url, transport.sentAt[i]!] as const);
    const limited = sends.filter(([url]) => url === request(3).url);
    // Resent 2 s after the 429 came back (80 ms after it was sent), while the other 39 went on,
    // all sent within six round trips (five at 8, and one for the half slot the 429 took).
    expect(limited.map(([, at]) => at)).toEqual([0, 2080]);
    expect(Math.max(...sends.filter(([url]) => url !== request(3).url).map(([, at]) => at))).toBe(
      400,
    );
    expect(queue.stats()).toMatchObject({ delivered: 40, retries: 1 });
  });

  test('#35 a second in which every answer is a 429 draws about one window, then probes one at a time', async () => {
    // From 400 ms to 1,400 ms every request is limited.
    const limitedWhen = (at: number) => at >= 400 && at < 1400;
    const { scheduler, transport, queue, enqueue } = slowEndpoint(
      (sentAt) => (limitedWhen(sentAt) ? { status: 429, retryAfter: '1' } : 200),
      { initialConcurrency: 64, maxConcurrency: 64 },
    );
    enqueue(2000);
    await scheduler.advance(399);
    expect(queue.stats().concurrency).toBe(64);
    await scheduler.runAll();
    const drawn = transport.sentAt.filter(limitedWhen).length;
    expect(drawn).toBeGreaterThanOrEqual(64); // the round trip already under way
    expect(drawn).toBeLessThanOrEqual(80); // about one window: 1.25 at most
    expect(queue.stats()).toMatchObject({ delivered: 2000, failed: 0 });
  });

  test('#36 while every answer is a 429 it sends no more than one probe per Retry-After', async () => {
    const limitedWhen = (at: number) => at >= 400 && at < 5400;
    const { scheduler, transport, queue, enqueue } = slowEndpoint(
      (sentAt) => (limitedWhen(sentAt) ? { status: 429, retryAfter: '1' } : 200),
      { initialConcurrency: 64, maxConcurrency: 64 },
    );
    enqueue(2000);
    await scheduler.runAll();
    // Past the first round trip of 429s (by 1.5 s), a probe a second: 4 in the last 3.9 s.
    const probes = transport.sentAt.filter((at) => at >= 1500 && at < 5400).length;
    expect(probes).toBeLessThanOrEqual(4);
    expect(queue.stats()).toMatchObject({ delivered: 2000, failed: 0 });
  });

  test('#37 3% scattered 429 + Retry-After: 1 costs at most 3x the time of none (10,000 requests)', async () => {
    const timeFor = async (share: number) => {
      const random = seededRandom(7);
      const { scheduler, enqueue, flushedAt, queue } = slowEndpoint(
        () => (random() < share ? { status: 429, retryAfter: '1' } : 200),
        { initialConcurrency: 32, maxConcurrency: 512 },
      );
      enqueue(10_000);
      await scheduler.runAll(100_000);
      expect(queue.stats()).toMatchObject({ delivered: 10_000, failed: 0 });
      return flushedAt()!;
    };
    const clean = await timeFor(0);
    const scattered = await timeFor(0.03);
    expect(scattered / clean).toBeLessThanOrEqual(3);
  });

  test('#38 an endpoint that is down is probed by one request at a time, not by every queued one', async () => {
    // Down (503) for the first minute.
    const { scheduler, transport, queue, enqueue } = slowEndpoint(
      (sentAt) => (sentAt < 60_000 ? 503 : 200),
      { initialConcurrency: 32, maxConcurrency: 64, retry: { maxAttempts: 1000 } },
    );
    enqueue(500);
    await scheduler.runAll(100_000);
    const duringOutage = transport.sentAt.filter((at) => at >= 1000 && at < 60_000).length;
    // Backoff pauses from 0.5 s doubling to 30 s: a probe every few seconds at most.
    expect(duringOutage).toBeLessThanOrEqual(20);
    expect(queue.stats()).toMatchObject({ delivered: 500, failed: 0 });
  });
});
