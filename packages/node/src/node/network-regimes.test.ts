// The delivery engine over real loopback HTTP against a server that answers late, limits, hangs,
// while the wall clock steps: what the window, the 429 policy and monotonic time look like to a
// Kissmetrics endpoint. Assertions are on what the server saw, never on how long things took.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { numberedEvents } from '../../test/emulated-endpoint.js';
import { createKissmetrics } from './create-kissmetrics.js';

/** What the server does with the n-th request (from 0), `sinceFirstMs` after the first one. */
type Answer = { readonly status: number; readonly retryAfter?: string } | 'hang';

interface SlowServer {
  readonly url: string;
  /** Requests received, with their time since the first. */
  readonly arrivals: { readonly atMs: number; readonly key: string }[];
  /** Duplicate keys (_p, _n, _t) answered 200: what Kissmetrics would have recorded, once each. */
  readonly recorded: Set<string>;
  /** The most requests the server held at once. */
  peak(): number;
  close(): Promise<void>;
}

let servers: SlowServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

/** A loopback server that answers every request `delayMs` after it arrived, as `answer` says. */
async function startSlowServer(
  delayMs: number,
  answer: (index: number, sinceFirstMs: number) => Answer = () => ({ status: 200 }),
): Promise<SlowServer> {
  const arrivals: SlowServer['arrivals'] = [];
  const recorded = new Set<string>();
  let first: number | undefined;
  let holding = 0;
  let peak = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const now = performance.now();
    first ??= now;
    const query = new URL(req.url!, 'http://x').searchParams;
    const key = `${query.get('_p')}|${query.get('_n')}|${query.get('_t')}`;
    const atMs = now - first;
    const what = answer(arrivals.length, atMs);
    arrivals.push({ atMs, key });
    holding++;
    peak = Math.max(peak, holding);
    req.resume();
    if (what === 'hang') {
      res.on('close', () => holding--);
      return;
    }
    setTimeout(() => {
      holding--;
      if (what.status === 200) recorded.add(key);
      res.writeHead(what.status, what.retryAfter ? { 'retry-after': what.retryAfter } : {}).end();
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const slow: SlowServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    recorded,
    peak: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(slow);
  return slow;
}

const keyOf = (message: ReturnType<typeof numberedEvents>[number]) =>
  `${message.userId}|${message.event}|${Date.parse(message.timestamp) / 1000}`;

describe('over a slow endpoint', () => {
  test('at 50 ms a round trip the window grows past its start of 32: 3,000 events at once go out with more in flight, each once', async () => {
    const server = await startSlowServer(50);
    const km = createKissmetrics({ apiKey: 'key', endpoint: server.url });
    let peakWindow = 0;
    km.on('delivered', () => {
      peakWindow = Math.max(peakWindow, km.stats().concurrency);
    });
    const messages = numberedEvents(3000);
    for (const message of messages) expect(km.track(message).accepted).toBe(true);
    expect(await km.flush()).toEqual({ delivered: 3000, failed: 0, dropped: 0 });
    await km.close();
    expect(peakWindow).toBeGreaterThan(64);
    expect(server.peak()).toBeGreaterThan(64);
    expect([...server.recorded].sort()).toEqual(messages.map(keyOf).sort());
    expect(server.arrivals).toHaveLength(3000);
  });

  test('a 429 with Retry-After: 1 delays only the request that got it: every other event arrives first', async () => {
    const server = await startSlowServer(20, (index) =>
      index === 5 ? { status: 429, retryAfter: '1' } : { status: 200 },
    );
    const km = createKissmetrics({ apiKey: 'key', endpoint: server.url });
    const messages = numberedEvents(300);
    for (const message of messages) km.track(message);
    expect(await km.flush()).toMatchObject({ delivered: 300, failed: 0 });
    await km.close();
    const limited = server.arrivals[5]!;
    const resent = server.arrivals.filter((arrival) => arrival.key === limited.key);
    expect(resent).toHaveLength(2);
    // Its floor is a second; the 299 others did not wait for it.
    expect(resent[1]!.atMs - resent[0]!.atMs).toBeGreaterThanOrEqual(1000);
    expect(server.arrivals.at(-1)!.key).toBe(limited.key);
    expect(server.recorded.size).toBe(300);
  });

  test('a second in which every answer is a 429 draws about one window; every event is delivered after it', async () => {
    const server = await startSlowServer(20, (_index, sinceFirstMs) =>
      sinceFirstMs < 1000 ? { status: 429, retryAfter: '1' } : { status: 200 },
    );
    const km = createKissmetrics({ apiKey: 'key', endpoint: server.url });
    const messages = numberedEvents(500);
    for (const message of messages) km.track(message);
    expect(await km.flush()).toEqual({ delivered: 500, failed: 0, dropped: 0 });
    await km.close();
    const inLimitedSecond = server.arrivals.filter((arrival) => arrival.atMs < 1000).length;
    // The first window (32), a few sent while the run of 429s built up, and no more.
    expect(inLimitedSecond).toBeGreaterThanOrEqual(32);
    expect(inLimitedSecond).toBeLessThanOrEqual(48);
    expect([...server.recorded].sort()).toEqual(messages.map(keyOf).sort());
  });
});

describe('a wall clock that steps', () => {
  const HOUR = 3_600_000;
  const stepWallClock = (ms: number) => {
    const now = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => now() + ms);
  };
  // Liveness, not speed: flush() must settle, and a second is plenty for what is left to do.
  const settlesWithin = <T>(promise: Promise<T>, ms: number) =>
    Promise.race([
      promise.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), ms)),
    ]);

  test('stepped back an hour during a backoff: the retry goes out and flush() settles', async () => {
    const server = await startSlowServer(0, (index) =>
      index === 0 ? { status: 503 } : { status: 200 },
    );
    const km = createKissmetrics({
      apiKey: 'key',
      endpoint: server.url,
      retry: { baseDelayMs: 400, maxDelayMs: 400 },
    });
    const retried = new Promise<void>((resolve) => km.on('retry', () => resolve()));
    km.track({ userId: 'bob', event: 'Paid', timestamp: '2024-05-01T12:00:00Z' });
    await retried;
    stepWallClock(-HOUR);
    expect(await settlesWithin(km.flush(), 3000)).toBe(true);
    expect(km.stats()).toMatchObject({ delivered: 1, queued: 0 });
    await km.close();
  });

  test('stepped back an hour during a hung attempt (timeoutMs 300): it times out, is resent, and flush() settles', async () => {
    const server = await startSlowServer(0, (index) => (index === 0 ? 'hang' : { status: 200 }));
    const km = createKissmetrics({
      apiKey: 'key',
      endpoint: server.url,
      timeoutMs: 300,
      retry: { baseDelayMs: 50, maxDelayMs: 50 },
    });
    const reasons: string[] = [];
    km.on('retry', (event) => reasons.push(event.reason));
    km.track({ userId: 'bob', event: 'Paid', timestamp: '2024-05-01T12:00:00Z' });
    while (server.arrivals.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    stepWallClock(-HOUR);
    expect(await settlesWithin(km.flush(), 3000)).toBe(true);
    expect(reasons).toEqual(['timeout']);
    expect(server.recorded.size).toBe(1);
    await km.close();
  });

  test('stepped forward two days during a backoff: the request is delivered, not expired', async () => {
    const server = await startSlowServer(0, (index) =>
      index === 0 ? { status: 503 } : { status: 200 },
    );
    const km = createKissmetrics({
      apiKey: 'key',
      endpoint: server.url,
      retry: { baseDelayMs: 200, maxDelayMs: 200 },
    });
    const errors: string[] = [];
    km.on('error', (event) => errors.push(event.reason));
    const retried = new Promise<void>((resolve) => km.on('retry', () => resolve()));
    km.track({ userId: 'bob', event: 'Paid', timestamp: '2024-05-01T12:00:00Z' });
    await retried;
    stepWallClock(48 * HOUR);
    expect(await settlesWithin(km.flush(), 3000)).toBe(true);
    expect(errors).toEqual([]);
    expect(server.recorded.size).toBe(1);
    await km.close();
  });
});
