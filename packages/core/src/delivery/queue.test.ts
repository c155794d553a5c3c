import { describe, expect, test } from 'vitest';
import { answers, request, scriptedTransport } from '../../test/scripted-transport.js';
import { createManualScheduler } from '../testing/manual-scheduler.js';
import { createDeliveryQueue } from './queue.js';
import type { DeliveryEvents } from './queue-types.js';
import type { Store, StoredRequest, Transport, TransportResponse } from './types.js';

function memoryStore(durable: boolean, initial: StoredRequest[] = []) {
  const entries = new Map(initial.map((entry) => [entry.id, entry]));
  const log: string[] = [];
  const store: Store & { entries: typeof entries; log: string[] } = {
    durable,
    entries,
    log,
    load: () => [...entries.values()],
    add(entry) {
      log.push(`add ${entry.id}`);
      entries.set(entry.id, entry);
    },
    remove(id) {
      log.push(`remove ${id}`);
      entries.delete(id);
    },
  };
  return store;
}

function collect<K extends keyof DeliveryEvents>(
  queue: { on: (k: K, l: (e: DeliveryEvents[K]) => void) => void },
  kind: K,
) {
  const seen: DeliveryEvents[K][] = [];
  queue.on(kind, (e) => seen.push(e));
  return seen;
}

describe('bounds', () => {
  test('at most `concurrency` requests are in flight', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, scheduler, concurrency: 3 });
    for (let i = 0; i < 20; i++) queue.enqueue(request(i));
    expect(transport.inFlight()).toBe(3);
    await queue.flush();
    expect(transport.peak()).toBe(3);
    expect(transport.attempts).toHaveLength(20);
  });

  test('refuse (default): a request past maxQueueLength is turned away with a drop event and counted', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 'hang'),
      scheduler,
      concurrency: 1,
      maxQueueLength: 2,
    });
    const drops = collect(queue, 'drop');
    expect(queue.enqueue(request(1)).accepted).toBe(true);
    expect(queue.enqueue(request(2)).accepted).toBe(true);
    expect(queue.enqueue(request(3))).toEqual({ accepted: false, reason: 'queue_full' });
    expect(drops).toEqual([expect.objectContaining({ reason: 'queue_full', request: request(3) })]);
    expect(drops[0]!.message).toMatch(/maxQueueLength 2/);
    expect(queue.stats()).toMatchObject({ queued: 2, dropped: 1 });
  });

  test('refuse: a request past maxQueueBytes is turned away', () => {
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 'hang'),
      scheduler: createManualScheduler(),
      maxQueueBytes: request(1).url.length * 2,
    });
    expect(queue.enqueue(request(1)).accepted).toBe(true);
    expect(queue.enqueue(request(2)).accepted).toBe(true);
    expect(queue.enqueue(request(3)).accepted).toBe(false);
    expect(queue.stats().queuedBytes).toBe(request(1).url.length * 2);
  });

  test('drop-oldest evicts the oldest waiting request (never one in flight) and reports it', async () => {
    const scheduler = createManualScheduler();
    const store = memoryStore(true);
    const transport = scriptedTransport(() => 'hang');
    const queue = createDeliveryQueue({
      transport,
      store,
      scheduler,
      concurrency: 1,
      maxQueueLength: 2,
      overflow: 'drop-oldest',
    });
    const drops = collect(queue, 'drop');
    const first = queue.enqueue(request(1)); // in flight
    const second = queue.enqueue(request(2)); // waiting
    const third = queue.enqueue(request(3));
    expect(third.accepted).toBe(true);
    expect(drops).toEqual([expect.objectContaining({ reason: 'evicted', request: request(2) })]);
    expect([...store.entries.keys()]).toEqual([
      (first as { id: string }).id,
      (third as { id: string }).id,
    ]);
    expect(second.accepted).toBe(true);
  });

  test('a single request larger than maxQueueBytes is refused even with drop-oldest', () => {
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 'hang'),
      scheduler: createManualScheduler(),
      maxQueueBytes: 10,
      overflow: 'drop-oldest',
    });
    expect(queue.enqueue(request(1))).toEqual({ accepted: false, reason: 'queue_full' });
  });

  test('options out of range are refused naming the option', () => {
    const transport = scriptedTransport(() => 200);
    expect(() => createDeliveryQueue({ transport, concurrency: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'concurrency' }),
    );
    expect(() => createDeliveryQueue({ transport, retry: { maxAttempts: -1 } })).toThrow(
      expect.objectContaining({ path: 'retry.maxAttempts' }),
    );
  });
});

describe('timeouts', () => {
  test('each attempt times out timeoutMs after it started, whatever the others do', async () => {
    const scheduler = createManualScheduler({ now: 0 });
    const log: string[] = [];
    // p1 answers after 800 ms, p2 never answers, p3 answers at once.
    const transport: Transport = {
      send(req, signal) {
        const who = new URL(req.url).searchParams.get('_p')!;
        log.push(`${scheduler.now()} send ${who}`);
        return new Promise((resolve, reject) => {
          signal.addEventListener('abort', () => {
            log.push(`${scheduler.now()} abort ${who}`);
            reject(new Error('aborted'));
          });
          if (who === 'p1' && !log.includes('1000 abort p1')) {
            scheduler.sleep(800).then(() => resolve({ status: 200 }));
          } else if (who === 'p3') {
            resolve({ status: 200 });
          }
        });
      },
    };
    const queue = createDeliveryQueue({ transport, scheduler, retry: { timeoutMs: 1000 } });
    queue.enqueue(request(1));
    await scheduler.advance(500);
    queue.enqueue(request(2));
    queue.enqueue(request(3));
    await scheduler.advance(1000);
    expect(log).toEqual(['0 send p1', '500 send p2', '500 send p3', '1500 abort p2']);
    expect(queue.stats()).toMatchObject({ delivered: 2, retries: 1 });
  });

  test('attempts that time out together are all retried', async () => {
    const scheduler = createManualScheduler({ now: 0 });
    const transport = scriptedTransport(answers('hang', 'hang', 'hang'));
    const queue = createDeliveryQueue({ transport, scheduler, retry: { timeoutMs: 1000 } });
    const retries = collect(queue, 'retry');
    for (let i = 1; i <= 3; i++) queue.enqueue(request(i));
    const flushing = queue.flush();
    await scheduler.runAll();
    expect(await flushing).toEqual({ delivered: 3, failed: 0, dropped: 0 });
    expect(retries.map((r) => r.reason)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(transport.attempts).toHaveLength(6);
  });
});

describe('how the engine starts a request (start(), send(), a transport that throws)', () => {
  // A transport that aborts without an AbortSignal (as @kmkit/node's undici pool does): p1 hangs
  // until aborted, the others answer at once.
  function startingTransport(scheduler: { now(): number }) {
    const log: string[] = [];
    const transport: Transport = {
      send() {
        throw new Error('send() must not be used when start() is there');
      },
      start(req) {
        const who = new URL(req.url).searchParams.get('_p')!;
        log.push(`${scheduler.now()} start ${who}`);
        let reject!: (error: Error) => void;
        const response = new Promise<TransportResponse>((onAnswer, onError) => {
          reject = onError;
          if (who !== 'p1' || log.filter((line) => line.endsWith('start p1')).length > 1) {
            queueMicrotask(() => onAnswer({ status: 200 }));
          }
        });
        return {
          response,
          abort(reason) {
            log.push(`${scheduler.now()} abort ${who} (${typeof reason})`);
            reject(new Error('aborted'));
          },
        };
      },
    };
    return { transport, log };
  }

  test('the engine sends through start() and a timeout aborts through it, then retries', async () => {
    const scheduler = createManualScheduler({ now: 0 });
    const { transport, log } = startingTransport(scheduler);
    const queue = createDeliveryQueue({ transport, scheduler, retry: { timeoutMs: 1000 } });
    queue.enqueue(request(1));
    queue.enqueue(request(2));
    const flushing = queue.flush();
    await scheduler.runAll();
    expect(await flushing).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(log.slice(0, 3)).toEqual(['0 start p1', '0 start p2', '1000 abort p1 (symbol)']);
    expect(log.filter((line) => line.endsWith('start p1'))).toHaveLength(2);
  });

  test.each([
    [
      'send()',
      (error: Error): Transport => ({
        send: () => {
          throw error;
        },
      }),
    ],
    [
      'start()',
      (error: Error): Transport => ({
        send: async () => ({ status: 200 }),
        start: () => {
          throw error;
        },
      }),
    ],
  ])(
    'a transport whose %s throws fails that attempt as a network error, and it is retried',
    async (_, make) => {
      const scheduler = createManualScheduler({ now: 0 });
      let calls = 0;
      const failing = make(new Error('socket gone'));
      const transport: Transport = {
        send: (req, signal) =>
          ++calls === 1 ? failing.send(req, signal) : Promise.resolve({ status: 200 }),
        ...(failing.start && {
          start: (req) =>
            ++calls === 1
              ? failing.start!(req)
              : { response: Promise.resolve({ status: 200 }), abort: () => {} },
        }),
      };
      const queue = createDeliveryQueue({ transport, scheduler });
      const retries = collect(queue, 'retry');
      queue.enqueue(request(1));
      const flushing = queue.flush();
      await scheduler.runAll();
      expect(await flushing).toEqual({ delivered: 1, failed: 0, dropped: 0 });
      expect(retries.map((retry) => [retry.reason, String(retry.error)])).toEqual([
        ['network', 'Error: socket gone'],
      ]);
    },
  );

  test('close() at its deadline aborts what is in flight through start()', async () => {
    const scheduler = createManualScheduler({ now: 0 });
    const { transport, log } = startingTransport(scheduler);
    const queue = createDeliveryQueue({ transport, scheduler, retry: { timeoutMs: 60_000 } });
    queue.enqueue(request(1));
    const closing = queue.close({ timeoutMs: 500 });
    await scheduler.advance(500);
    expect(await closing).toMatchObject({ delivered: 0, dropped: 1, remaining: 1 });
    expect(log).toEqual(['0 start p1', '500 abort p1 (symbol)']);
  });
});

describe('flush', () => {
  test('resolves when everything queued before it is delivered or failed, with the counts', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport((req) => (req.url.includes('_p=p2&') ? 400 : 200));
    const queue = createDeliveryQueue({ transport, scheduler });
    for (let i = 1; i <= 4; i++) queue.enqueue(request(i));
    expect(await queue.flush()).toEqual({ delivered: 3, failed: 1, dropped: 0 });
    expect(queue.stats()).toMatchObject({ queued: 0, delivered: 3, failed: 1 });
  });

  test('waits through retries, keeping the retry timer alive while it waits', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({
      transport: scriptedTransport(answers(503, 200)),
      scheduler,
    });
    queue.enqueue(request(1));
    await scheduler.settle();
    expect(scheduler.timers()).toEqual([250]);
    expect(scheduler.keptAlive()).toEqual([]);
    let result: unknown;
    const flushing = queue.flush().then((r) => {
      result = r;
    });
    await scheduler.settle();
    expect(scheduler.keptAlive()).toEqual([250]);
    expect(result).toBeUndefined();
    await scheduler.advance(250);
    await flushing;
    expect(result).toEqual({ delivered: 1, failed: 0, dropped: 0 });
  });

  test('concurrent flushes share the work: each request is sent once', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport(answers(500, 500, 200, 200));
    const queue = createDeliveryQueue({ transport, scheduler, concurrency: 1 });
    const delivered = collect(queue, 'delivered');
    queue.enqueue(request(1));
    queue.enqueue(request(2));
    const flushes = Promise.all([queue.flush(), queue.flush(), queue.flush()]);
    await scheduler.runAll();
    const results = await flushes;
    expect(results.map((r) => r.delivered)).toEqual([2, 2, 2]);
    // Each request failed once and was delivered once: no flush sent anything of its own.
    expect(transport.attempts.map((a) => new URL(a.request.url).searchParams.get('_p'))).toEqual([
      'p1',
      'p2',
      'p1',
      'p2',
    ]);
    expect(delivered.map((d) => d.request)).toEqual([request(1), request(2)]);
  });

  test('does not wait for requests queued after it', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport((req) => (req.url.includes('_p=p2&') ? 'hang' : 200));
    const queue = createDeliveryQueue({ transport, scheduler });
    queue.enqueue(request(1));
    const flushing = queue.flush();
    queue.enqueue(request(2));
    expect(await flushing).toEqual({ delivered: 1, failed: 0, dropped: 0 });
    expect(queue.stats().queued).toBe(1);
  });

  test('reports requests refused since the previous flush', async () => {
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 200),
      scheduler: createManualScheduler(),
      maxQueueLength: 1,
      concurrency: 1,
    });
    queue.enqueue(request(1));
    queue.enqueue(request(2));
    expect(await queue.flush()).toEqual({ delivered: 1, failed: 0, dropped: 1 });
    expect(await queue.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0 });
  });

  test('waits while paused and completes on resume', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, scheduler, paused: true });
    queue.enqueue(request(1));
    let done = false;
    const flushing = queue.flush().then(() => {
      done = true;
    });
    await scheduler.advance(60_000);
    expect(done).toBe(false);
    expect(transport.attempts).toHaveLength(0);
    queue.resume();
    await flushing;
    expect(transport.attempts).toHaveLength(1);
  });
});

describe('close', () => {
  test('drains, then refuses new requests with a drop event; repeated calls return the same result', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({ transport: scriptedTransport(() => 200), scheduler });
    const drops = collect(queue, 'drop');
    queue.enqueue(request(1));
    const first = queue.close();
    expect(queue.close()).toBe(first);
    expect(await first).toEqual({
      delivered: 1,
      failed: 0,
      dropped: 0,
      remaining: 0,
      persisted: false,
    });
    expect(queue.enqueue(request(2))).toEqual({ accepted: false, reason: 'closed' });
    expect(drops.map((d) => d.reason)).toEqual(['closed']);
  });

  test('at the deadline it aborts in-flight requests and reports the unsent ones as drops', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport((req) => (req.url.includes('_p=p1&') ? 200 : 'hang'));
    const queue = createDeliveryQueue({ transport, scheduler, retry: { timeoutMs: 60_000 } });
    const drops = collect(queue, 'drop');
    queue.enqueue(request(1));
    queue.enqueue(request(2));
    queue.enqueue(request(3));
    const closing = queue.close({ timeoutMs: 1000 });
    await scheduler.advance(1000);
    expect(await closing).toEqual({
      delivered: 1,
      failed: 0,
      dropped: 2,
      remaining: 2,
      persisted: false,
    });
    expect(transport.attempts.filter((a) => a.aborted())).toHaveLength(2);
    expect(drops.map((d) => [d.reason, d.request])).toEqual([
      ['unsent_at_close', request(2)],
      ['unsent_at_close', request(3)],
    ]);
    expect(transport.attempts).toHaveLength(3); // nothing retried after the deadline
    await scheduler.runAll();
    expect(transport.attempts).toHaveLength(3);
  });

  test('a flush() still waiting at the deadline resolves with what it got', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport((req) => (req.url.includes('_p=p1&') ? 200 : 'hang'));
    const queue = createDeliveryQueue({ transport, scheduler, retry: { timeoutMs: 60_000 } });
    queue.enqueue(request(1));
    queue.enqueue(request(2));
    const flushing = queue.flush();
    const closing = queue.close({ timeoutMs: 1000 });
    await scheduler.advance(1000);
    await closing;
    expect(await flushing).toEqual({ delivered: 1, failed: 0, dropped: 0 });
  });

  test('with a durable store the unsent requests stay in it for the next process', async () => {
    const scheduler = createManualScheduler();
    const store = memoryStore(true);
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 'hang'),
      store,
      scheduler,
    });
    const drops = collect(queue, 'drop');
    queue.enqueue(request(1));
    const closing = queue.close({ timeoutMs: 500 });
    await scheduler.advance(500);
    expect(await closing).toMatchObject({ remaining: 1, persisted: true, dropped: 0 });
    expect(drops).toEqual([]);
    expect([...store.entries.values()].map((e) => e.request)).toEqual([request(1)]);
  });
});

describe('store', () => {
  test('a request is added before enqueue returns and removed once settled', async () => {
    const scheduler = createManualScheduler();
    const store = memoryStore(true);
    const queue = createDeliveryQueue({
      transport: scriptedTransport(answers(500, 200)),
      store,
      scheduler,
    });
    await queue.ready;
    const { id } = queue.enqueue(request(1)) as { id: string };
    expect(store.log).toEqual([`add ${id}`]);
    await scheduler.runAll();
    expect(store.log).toEqual([`add ${id}`, `remove ${id}`]);
  });

  test('requests left in the store by an earlier run are delivered, keeping their ids and ages', async () => {
    const scheduler = createManualScheduler({ now: 1_000_000 });
    const left: StoredRequest[] = [
      { id: 'old-1', request: request(1), enqueuedAt: 999_000 },
      { id: 'old-2', request: request(2), enqueuedAt: 999_500 },
    ];
    const store = memoryStore(true, left);
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, store, scheduler });
    const delivered = collect(queue, 'delivered');
    expect(await queue.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(delivered.map((d) => d.id)).toEqual(['old-1', 'old-2']);
    expect(store.entries.size).toBe(0);
  });

  test('a stored request older than maxAgeMs fails as expired instead of being sent', async () => {
    const scheduler = createManualScheduler({ now: 10_000_000 });
    const store = memoryStore(true, [{ id: 'stale', request: request(1), enqueuedAt: 0 }]);
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, store, scheduler, retry: { maxAgeMs: 1000 } });
    const errors = collect(queue, 'error');
    expect(await queue.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    expect(errors).toEqual([
      expect.objectContaining({ id: 'stale', reason: 'expired', attempts: 0 }),
    ]);
    expect(transport.attempts).toHaveLength(0);
  });

  test('restore() picks up requests another writer added, once', async () => {
    const scheduler = createManualScheduler();
    const store = memoryStore(true);
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, store, scheduler });
    await queue.ready;
    store.entries.set('other-tab-1', {
      id: 'other-tab-1',
      request: request(5),
      enqueuedAt: scheduler.now(),
    });
    expect(await queue.restore()).toBe(1);
    expect(await queue.restore()).toBe(0); // already known, or delivered and removed
    await queue.flush();
    expect(transport.attempts.map((a) => a.request)).toEqual([request(5)]);
  });

  test('a store snapshot read before a request settled does not bring it back (no double send)', async () => {
    const scheduler = createManualScheduler();
    const entries = new Map<string, StoredRequest>();
    let snapshot: StoredRequest[] = [];
    const store: Store = {
      durable: true,
      // An async store answers with what it held when asked, after the request already settled.
      load: () => Promise.resolve(snapshot),
      add: (entry) => {
        entries.set(entry.id, entry);
      },
      remove: (id) => {
        entries.delete(id);
      },
    };
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, store, scheduler });
    await queue.ready;
    queue.enqueue(request(1));
    snapshot = [...entries.values()];
    await queue.flush();
    expect(await queue.restore()).toBe(0);
    await queue.flush();
    expect(transport.attempts).toHaveLength(1);
  });

  test('a failing best-effort store is reported as a warning and delivery carries on in memory', async () => {
    const scheduler = createManualScheduler();
    const store: Store = {
      durable: false,
      load: () => {
        throw new Error('SecurityError: storage disabled');
      },
      add: () => {
        throw new Error('QuotaExceededError');
      },
      remove: async () => {
        throw new Error('gone');
      },
    };
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 200),
      store,
      scheduler,
    });
    const warnings = collect(queue, 'warning');
    queue.enqueue(request(1));
    expect(await queue.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0 });
    expect(warnings.map((w) => [w.code, (w.error as Error).message]).sort()).toEqual([
      ['store_failed', 'QuotaExceededError'],
      ['store_failed', 'SecurityError: storage disabled'],
      ['store_failed', 'gone'],
    ]);
  });
});

describe('events and state', () => {
  test('pause() stops new sends, resume() starts them again', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, scheduler });
    queue.pause();
    queue.enqueue(request(1));
    await scheduler.settle();
    expect(transport.attempts).toHaveLength(0);
    expect(queue.stats().paused).toBe(true);
    queue.resume();
    await queue.flush();
    expect(transport.attempts).toHaveLength(1);
  });

  test('discard() forgets requests settled elsewhere without sending or counting them', async () => {
    const scheduler = createManualScheduler();
    const store = memoryStore(true);
    const transport = scriptedTransport(() => 'hang');
    const queue = createDeliveryQueue({ transport, store, scheduler, concurrency: 1 });
    const first = queue.enqueue(request(1)) as { id: string }; // in flight: left to finish
    const second = queue.enqueue(request(2)) as { id: string };
    const third = queue.enqueue(request(3)) as { id: string };
    expect(queue.discard([first.id, second.id, 'unknown'])).toBe(1);
    expect(queue.pending().map((p) => p.id)).toEqual([first.id, third.id]);
    expect([...store.entries.keys()]).toEqual([first.id, third.id]);
    expect(queue.stats()).toMatchObject({ delivered: 0, failed: 0, dropped: 0, queued: 2 });
  });

  test('pending() lists unsettled requests oldest first', () => {
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 'hang'),
      scheduler: createManualScheduler(),
      concurrency: 1,
    });
    queue.enqueue(request(1));
    queue.enqueue(request(2));
    expect(queue.pending().map((p) => p.request)).toEqual([request(1), request(2)]);
  });

  test('a listener that throws is reported as a warning and does not stop delivery', async () => {
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 200),
      scheduler: createManualScheduler(),
    });
    const warnings = collect(queue, 'warning');
    queue.on('delivered', () => {
      throw new Error('listener bug');
    });
    const delivered = collect(queue, 'delivered');
    queue.enqueue(request(1));
    queue.enqueue(request(2));
    await queue.flush();
    expect(delivered).toHaveLength(2);
    expect(warnings.map((w) => w.code)).toEqual(['listener_failed', 'listener_failed']);
  });

  test('on() returns an unsubscribe function', async () => {
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 200),
      scheduler: createManualScheduler(),
    });
    const seen: string[] = [];
    const off = queue.on('delivered', (e) => seen.push(e.id));
    queue.enqueue(request(1));
    await queue.flush();
    off();
    queue.enqueue(request(2));
    await queue.flush();
    expect(seen).toHaveLength(1);
  });
});

describe('time', () => {
  const HOUR = 3_600_000;

  test('the wall clock stepped back an hour during a backoff: the retry goes out on time and flush() settles', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport(answers(503, 200));
    const queue = createDeliveryQueue({ transport, scheduler });
    queue.enqueue(request(1));
    let settled = false;
    void queue.flush().then(() => {
      settled = true;
    });
    await scheduler.settle();
    expect(scheduler.timers()).toEqual([250]); // the backoff
    scheduler.stepWallClock(-HOUR);
    await scheduler.advance(250);
    expect(settled).toBe(true);
    expect(queue.stats()).toMatchObject({ delivered: 1, queued: 0 });
  });

  test('the wall clock stepped back an hour during a hung attempt (timeoutMs 300): it times out on time and flush() settles', async () => {
    const scheduler = createManualScheduler();
    const transport = scriptedTransport(answers('hang', 200));
    const queue = createDeliveryQueue({ transport, scheduler, retry: { timeoutMs: 300 } });
    const retries = collect(queue, 'retry');
    queue.enqueue(request(1));
    let settled = false;
    void queue.flush().then(() => {
      settled = true;
    });
    await scheduler.advance(100);
    scheduler.stepWallClock(-HOUR);
    await scheduler.advance(200);
    expect(retries.map((r) => r.reason)).toEqual(['timeout']);
    expect(transport.attempts[0]!.aborted()).toBe(true);
    await scheduler.advance(250); // the backoff after the timeout
    expect(settled).toBe(true);
    expect(queue.stats()).toMatchObject({ delivered: 1 });
  });

  test('the wall clock stepped forward two days during a backoff: nothing expires', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({
      transport: scriptedTransport(answers(503, 200)),
      scheduler,
    });
    const errors = collect(queue, 'error');
    queue.enqueue(request(1));
    await scheduler.settle();
    scheduler.stepWallClock(48 * HOUR);
    await scheduler.advance(250);
    expect(errors).toEqual([]);
    expect(queue.stats()).toMatchObject({ delivered: 1 });
  });

  test('a request ages on the monotonic clock: it expires after maxAgeMs of it, whatever the wall clock did', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 503),
      scheduler,
      retry: { maxAgeMs: 10_000, maxAttempts: 100 },
    });
    let failedAt: number | undefined;
    queue.on('error', (e) => {
      expect(e.reason).toBe('expired');
      failedAt = scheduler.monotonic();
    });
    queue.enqueue(request(1));
    scheduler.stepWallClock(-HOUR);
    await scheduler.runAll();
    // Given up when the next retry would land past 10 s: the hour the wall clock lost is no reprieve.
    expect(failedAt).toBeGreaterThan(5_000);
    expect(failedAt).toBeLessThanOrEqual(10_000);
  });

  test('a stored request dated in the future (the clock was stepped back since) is delivered, not held back', async () => {
    const scheduler = createManualScheduler({ now: 1_000_000_000 });
    const store = memoryStore(true, [
      { id: 'later', request: request(1), enqueuedAt: 1_000_000_000 + HOUR },
    ]);
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 200),
      store,
      scheduler,
    });
    expect(await queue.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0 });
  });

  test('a stored request with no readable time fails as expired rather than living forever', async () => {
    const scheduler = createManualScheduler();
    const store = memoryStore(true, [
      { id: 'timeless', request: request(1), enqueuedAt: Number.NaN },
    ]);
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, store, scheduler });
    const errors = collect(queue, 'error');
    expect(await queue.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    expect(errors).toEqual([expect.objectContaining({ id: 'timeless', reason: 'expired' })]);
    expect(transport.attempts).toHaveLength(0);
  });

  test('close({ timeoutMs }) ends on time with the wall clock stepped back', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({
      transport: scriptedTransport(() => 'hang'),
      scheduler,
      retry: { timeoutMs: 60_000 },
    });
    queue.enqueue(request(1));
    const closing = queue.close({ timeoutMs: 1000 });
    scheduler.stepWallClock(-HOUR);
    await scheduler.advance(1000);
    expect(await closing).toMatchObject({ remaining: 1, dropped: 1 });
  });
});

describe('durable stores', () => {
  test('an add that throws refuses the request: accepted false, a counted spool_failed drop, and it is never sent', async () => {
    const scheduler = createManualScheduler();
    const failure = new Error('ENOSPC: no space left on device');
    const store = memoryStore(true);
    const add = store.add.bind(store);
    let full = true;
    store.add = (entry) => {
      if (full) throw failure;
      add(entry);
    };
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, store, scheduler });
    const drops = collect(queue, 'drop');
    expect(queue.enqueue(request(1))).toEqual({ accepted: false, reason: 'spool_failed' });
    expect(drops).toEqual([
      expect.objectContaining({ reason: 'spool_failed', request: request(1), error: failure }),
    ]);
    expect(drops[0]!.message).toMatch(/ENOSPC/);
    full = false;
    expect(queue.enqueue(request(2)).accepted).toBe(true);
    expect(await queue.flush()).toEqual({ delivered: 1, failed: 0, dropped: 1 });
    await scheduler.runAll();
    expect(transport.attempts.map((a) => a.request)).toEqual([request(2)]);
    expect(queue.stats()).toMatchObject({ dropped: 1, queued: 0 });
  });

  test('an add that returns a promise cannot promise anything when enqueue returns: refused, and removed again', async () => {
    const scheduler = createManualScheduler();
    const store = memoryStore(true);
    const add = store.add.bind(store);
    store.add = async (entry) => add(entry);
    const transport = scriptedTransport(() => 200);
    const queue = createDeliveryQueue({ transport, store, scheduler });
    const drops = collect(queue, 'drop');
    expect(queue.enqueue(request(1))).toEqual({ accepted: false, reason: 'spool_failed' });
    await scheduler.runAll();
    expect(drops[0]!.message).toMatch(/synchronously/);
    expect(store.entries.size).toBe(0);
    expect(transport.attempts).toHaveLength(0);
  });

  test('a durably stored request outlives an outage longer than maxAttempts covers, and is delivered when the endpoint is back', async () => {
    const scheduler = createManualScheduler({ monotonic: 0 });
    const store = memoryStore(true);
    // Down for five minutes: ten attempts of backoff add up to about one.
    const transport = scriptedTransport(() => (scheduler.monotonic() < 300_000 ? 503 : 200));
    const queue = createDeliveryQueue({ transport, store, scheduler });
    const errors = collect(queue, 'error');
    for (let i = 0; i < 20; i++) queue.enqueue(request(i));
    const flushing = queue.flush();
    await scheduler.runAll(100_000);
    expect(await flushing).toEqual({ delivered: 20, failed: 0, dropped: 0 });
    expect(errors).toEqual([]);
    expect(store.entries.size).toBe(0);
    expect(scheduler.monotonic()).toBeGreaterThanOrEqual(300_000);
  });

  test('a memory-only queue still gives up after maxAttempts', async () => {
    const scheduler = createManualScheduler();
    const queue = createDeliveryQueue({ transport: scriptedTransport(() => 503), scheduler });
    const errors = collect(queue, 'error');
    queue.enqueue(request(1));
    await scheduler.runAll();
    expect(errors).toEqual([expect.objectContaining({ reason: 'max_attempts', attempts: 10 })]);
  });
});
