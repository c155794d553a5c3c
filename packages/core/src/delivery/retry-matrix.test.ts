import { describe, expect, test } from 'vitest';
import {
  answers,
  request,
  type ScriptedAnswer,
  scriptedTransport,
} from '../../test/scripted-transport.js';
import { createManualScheduler } from '../testing/manual-scheduler.js';
import { createDeliveryQueue, type DeliveryEvents } from './queue.js';
import type { RetryPolicy } from './retry-policy.js';

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

async function deliverOne(
  script: ScriptedAnswer[],
  retry: Partial<RetryPolicy> = {},
): Promise<Outcome> {
  const scheduler = createManualScheduler({ now: START, random: () => 0.5 });
  const sentAt: number[] = [];
  const transport = scriptedTransport((req, n) => {
    sentAt.push(scheduler.now() - START);
    return answers(...script)(req, n);
  });
  const queue = createDeliveryQueue({ transport, scheduler, retry });
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
  const matrix: [number, string, ScriptedAnswer[], Partial<RetryPolicy>, Partial<Outcome>][] = [
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
